-- An admin's edit of a topic or a department: catalog_sync then keeps the row's
-- admin-editable fields rather than the data file's (catalog/catalog.h).
ALTER TABLE departments ADD COLUMN edited_by INTEGER REFERENCES users(id);
ALTER TABLE departments ADD COLUMN edited_at INTEGER;
ALTER TABLE topics ADD COLUMN edited_by INTEGER REFERENCES users(id);
ALTER TABLE topics ADD COLUMN edited_at INTEGER;
