-- The ceiling: the SQL one feed page needs, run by pgbench -M prepared for a random user
-- (-D users=N -D offset=(page-1)*20 -D depth=page*20). The same queries and indexes as Chirp:
-- visible followees, the page of tweets with author names, the likers, the attachments.
\set uid random(1, :users)
SELECT array_agg(f.followee_id) || :uid::bigint AS authors
FROM accounts_follow f JOIN accounts_user u ON u.id = f.followee_id
WHERE f.follower_id = :uid AND u.is_active AND (u.suspended_until IS NULL OR u.suspended_until <= now())
\gset
SELECT array_agg(t.id) AS ids, array_agg(t.content) AS contents, array_agg(t.created_at) AS created,
       array_agg(t.likes_count) AS counts, array_agg(t.author_id) AS author_ids, array_agg(u.name) AS names
FROM (
  SELECT k.id FROM unnest(:authors::bigint[]) a(id)
  CROSS JOIN LATERAL (
    SELECT id, likes_count, created_at FROM tweets_tweet
    WHERE author_id = a.id AND hidden_at IS NULL
    ORDER BY likes_count DESC, created_at DESC, id DESC LIMIT :depth
  ) k
  ORDER BY k.likes_count DESC, k.created_at DESC, k.id DESC LIMIT 20 OFFSET :offset
) p JOIN tweets_tweet t ON t.id = p.id JOIN accounts_user u ON u.id = t.author_id
\gset
SELECT l.tweet_id, l.user_id, u.name FROM tweets_like l JOIN accounts_user u ON u.id = l.user_id
WHERE l.tweet_id = ANY(:ids::bigint[]) ORDER BY l.tweet_id, l.id;
SELECT tweet_id, file FROM media_media WHERE tweet_id = ANY(:ids::bigint[]) ORDER BY tweet_id, position;
