-- Every regression file after this one runs in the database where cqs_eval is installed.
CREATE EXTENSION cqs_eval CASCADE;
SELECT extname, extversion, extrelocatable, n.nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'cqs_eval';
