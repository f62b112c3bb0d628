-- Embedding jobs (`POST /v1/embeddings`) share the jobs table, queue, claim
-- and leases with chat jobs; a claimed job's `type` tells the node which
-- input it carries and how to complete it. Their vectors are the job's
-- `result` (base64 float32, one per input), deleted with the prompt text by
-- content retention.
ALTER TABLE jobs DROP CONSTRAINT jobs_type_known;
ALTER TABLE jobs ADD CONSTRAINT jobs_type_known CHECK (type IN ('chat', 'embedding'));
