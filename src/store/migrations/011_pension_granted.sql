-- The pension as it was granted (start_year, start_month), the base of the equalisation
-- (متناسب‌سازی): the pension a pensioner's coefficient at grant gives at today's minimum
-- wage. NULL when it is not on record: such pensioners are left out of an equalisation
-- batch, and the batch counts them.
ALTER TABLE pensioners ADD COLUMN granted INTEGER CHECK (granted IS NULL OR granted >= 0);
