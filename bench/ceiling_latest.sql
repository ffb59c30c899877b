-- The Latest ceiling: the SQL of the Latest tab's first page (GET /api/tweets?order=latest&limit=20),
-- run by pgbench -M prepared for a random user (-D users=N). The same plan and indexes as Chirp on
-- PostgreSQL (feed/selectors.py _LATEST_PAGE_SQL): each visible followee's newest tweets from
-- tweet_latest_idx, merged; 21 of them, as Chirp reads one more than the page to know whether
-- another follows; the page's rows (authors, replies counts on tweet_reply_idx) and attachments in
-- the same statement; then the page's likers. Left out: the api-key lookup, the mentioned users (one query, only for pages that mention
-- someone), and Chirp's likers cache (the likers are always read here).
-- The page is aggregated into one row only so that \gset can hand its ids to the next query.
\set uid random(1, :users)
-- No tweets at all: an empty list of ids, not NULL, for the likers statement.
SELECT coalesce(array_agg(p.id), '{}') AS ids, array_agg(p.content) AS contents, array_agg(p.created_at) AS created,
       array_agg(p.likes_count) AS counts, array_agg(p.author_id) AS author_ids, array_agg(p.name) AS names,
       array_agg(p.in_reply_to_id) AS answered, array_agg(p.edited_at) AS edited,
       array_agg(p.mentioned_ids::text) AS mentioned, array_agg(p.tags::text) AS tags,
       array_agg(p.replies) AS replies, array_agg(p.files::text) AS files,
       array_agg(p.thumbs::text) AS thumbs, array_agg(p.alts::text) AS alts
FROM (
  SELECT t.id, t.content, t.created_at, t.likes_count, t.author_id, u.name, t.in_reply_to_id,
         t.edited_at, t.mentioned_ids, t.tags,
         (SELECT count(*) FROM tweets_tweet AS r JOIN accounts_user AS ru ON ru.id = r.author_id
          WHERE r.in_reply_to_id = t.id AND r.hidden_at IS NULL AND ru.is_active
            AND (ru.suspended_until IS NULL OR ru.suspended_until <= now())) AS replies,
         ARRAY(SELECT m.file FROM tweets_attachment AS a JOIN media_media AS m ON m.id = a.media_id
               WHERE a.tweet_id = t.id ORDER BY a.position) AS files,
         ARRAY(SELECT m.thumbnail FROM tweets_attachment AS a JOIN media_media AS m ON m.id = a.media_id
               WHERE a.tweet_id = t.id ORDER BY a.position) AS thumbs,
         ARRAY(SELECT NULLIF(a.alt, '') FROM tweets_attachment AS a WHERE a.tweet_id = t.id ORDER BY a.position) AS alts
  FROM (
    SELECT k.id, k.created_at
    FROM unnest(ARRAY(
        SELECT f.followee_id FROM accounts_follow AS f
        JOIN accounts_user AS fu ON fu.id = f.followee_id
        WHERE f.follower_id = :uid AND fu.is_active
          AND (fu.suspended_until IS NULL OR fu.suspended_until <= now())
    ) || :uid::bigint) AS a(id)
    CROSS JOIN LATERAL (
        SELECT id, created_at FROM tweets_tweet
        WHERE author_id = a.id AND hidden_at IS NULL
        ORDER BY created_at DESC, id DESC
        LIMIT 21
    ) AS k
    ORDER BY k.created_at DESC, k.id DESC
    LIMIT 21
  ) AS p
  JOIN tweets_tweet AS t ON t.id = p.id
  JOIN accounts_user AS u ON u.id = t.author_id
  ORDER BY p.created_at DESC, p.id DESC
) AS p
\gset
SELECT l.tweet_id, l.user_id, u.name FROM tweets_like AS l JOIN accounts_user AS u ON u.id = l.user_id
WHERE l.tweet_id = ANY((:ids::bigint[])[1:20]) ORDER BY l.tweet_id, l.id;
