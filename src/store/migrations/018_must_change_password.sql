-- An account whose password an admin has reset must choose its own at its next login:
-- until it has (POST /api/v1/me/password), every route but that one, GET /api/v1/me and
-- logout answers 403 password_change_required (users/users.c, routes.c's api_admit).
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
