-- The streamnorm SQL demo: JSON features on Kafka -> BATCH_NORM per key -> Kafka, exactly-once.
-- Run it against your own broker: replace ${bootstrap}, then ./streamnorm sql -f demo.sql
SET 'execution.checkpointing.interval' = '1 s';

CREATE TABLE features (
  id BIGINT,
  `key` STRING,
  ts BIGINT,
  `values` ARRAY<DOUBLE>
) WITH (
  'connector' = 'kafka',
  'topic' = 'features',
  'properties.bootstrap.servers' = '${bootstrap}',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json',
  -- Messages that are not JSON records of this schema are skipped by the format.
  'json.ignore-parse-errors' = 'true'
);

CREATE TABLE normalized (
  `key` STRING,
  id BIGINT,
  ts BIGINT,
  `values` ARRAY<DOUBLE>,
  error STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'normalized',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.transaction.timeout.ms' = '600000',
  -- The batching of run's exactly-once sinks: larger batches, fewer produce requests.
  'properties.batch.size' = '131072',
  'properties.linger.ms' = '50',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'streamnorm-sql-demo',
  'format' = 'json'
);

-- Train mode: mini-batches of 32 rows per key, PyTorch momentum 0.1. A row that cannot be
-- normalized keeps its place with NULL values and its error code.
INSERT INTO normalized
SELECT * FROM BATCH_NORM(
  input => TABLE features PARTITION BY `key`,
  features => DESCRIPTOR(`values`),
  mode => 'train',
  batch_size => 32,
  momentum => '0.1');
