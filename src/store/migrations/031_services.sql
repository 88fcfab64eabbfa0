-- The e-services (services/): the catalogue of data/services/ synced at start (the
-- files decide which codes exist; a row is kept for a code the files dropped, so that
-- its requests and uses still name it), each request's form as it was sent, beside the
-- case it opened, and every use counted (service, province, channel, outcome).
CREATE TABLE services (
	code TEXT PRIMARY KEY,
	audience TEXT NOT NULL,
	kind TEXT NOT NULL,
	topic TEXT NOT NULL,
	title TEXT NOT NULL
);

-- A request service's form as checked (normalised values, JSON), one per case.
CREATE TABLE service_requests (
	case_id INTEGER PRIMARY KEY REFERENCES cases(id),
	service TEXT NOT NULL,
	workshop TEXT,
	fields TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE INDEX service_requests_service ON service_requests(service, created);

-- Every use: outcome 'answered' (an instant service), 'opened' (a request that opened a
-- case) or 'refused' (a form refused). province: the person's or workshop's, '' unknown.
CREATE TABLE service_uses (
	id INTEGER PRIMARY KEY,
	service TEXT NOT NULL,
	province TEXT NOT NULL,
	channel TEXT NOT NULL,
	outcome TEXT NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX service_uses_at ON service_uses(at);
