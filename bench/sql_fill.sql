-- Profiling fill (psql -v users=.. -v follows=.. -v tweets=.. -v likes=..): a synthetic data set
-- of the presets' shape, straight in SQL. Api key of user N is "bench-key-N".
SET session_replication_role = replica;
INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email, is_staff,
                           is_active, date_joined, name, credentials_version)
SELECT i, '!', false, 'u' || i, '', '', '', false, true, now(), 'User ' || i, 0
FROM generate_series(1, :users) i;
INSERT INTO accounts_apikey (user_id, digest, prefix, created_at)
SELECT i, encode(sha256(('bench-key-' || i)::bytea), 'hex'), 'bench-ke', now() FROM generate_series(1, :users) i;
INSERT INTO accounts_follow (follower_id, followee_id, created_at)
SELECT DISTINCT f, 1 + ((f + 1 + floor(random() * (:users - 1)))::int - 1) % :users, now()
FROM generate_series(1, :users) f, generate_series(1, :follows) k
ON CONFLICT DO NOTHING;
INSERT INTO tweets_tweet (id, author_id, content, created_at, likes_count)
SELECT i, 1 + (i - 1) % :users, 'Tweet number ' || i || ' says something mildly interesting.',
       now() - (random() * interval '365 days'), 0
FROM generate_series(1, :tweets) i;
-- Log-uniform popularity (Zipf s=1) scattered over tweets by a multiplicative permutation.
INSERT INTO tweets_like (user_id, tweet_id, created_at)
SELECT DISTINCT 1 + floor(random() * :users)::int,
       1 + (floor(power(:tweets, random()))::bigint * 7919) % :tweets, now()
FROM generate_series(1, :likes)
ON CONFLICT DO NOTHING;
UPDATE tweets_tweet t SET likes_count = c.n
FROM (SELECT tweet_id, count(*) n FROM tweets_like GROUP BY tweet_id) c WHERE c.tweet_id = t.id;
SET session_replication_role = origin;
-- The search index's trigger did not fire under the replica role: an update of content fires it.
UPDATE tweets_tweet SET content = content;
SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), :users);
SELECT setval(pg_get_serial_sequence('tweets_tweet', 'id'), :tweets);
ANALYZE;
