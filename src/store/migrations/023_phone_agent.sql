-- The screen pop (calls/): the telephone agent each staff account answers calls as, and
-- the calls linked to cases.
--
-- phone_agent: the text queue_log's agent field carries for the person (SIP/8007,
-- PJSIP/8007, Local/8007@agents, or a member name), as the log writes it; one account per
-- agent, many accounts with none.
ALTER TABLE users ADD COLUMN phone_agent TEXT;
CREATE UNIQUE INDEX users_phone_agent ON users(phone_agent) WHERE phone_agent IS NOT NULL;

-- The call on an agent's screen now: set by its CONNECT, removed by its end. A case the
-- agent writes to meanwhile is linked to it as touched.
CREATE TABLE call_screens (
	user_id INTEGER PRIMARY KEY REFERENCES users(id),
	callid TEXT NOT NULL,
	queue TEXT NOT NULL,
	connected INTEGER NOT NULL
);
CREATE INDEX call_screens_call ON call_screens(callid, queue);

-- Calls linked to cases: opened (the case was created on the call, with call_id) or
-- touched (written to by the agent while the call was on their screen).
CREATE TABLE call_cases (
	callid TEXT NOT NULL,
	queue TEXT NOT NULL,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	how TEXT NOT NULL CHECK (how IN ('opened', 'touched')),
	user_id INTEGER REFERENCES users(id),
	at INTEGER NOT NULL,
	PRIMARY KEY (callid, queue, case_id)
);
CREATE INDEX call_cases_case ON call_cases(case_id);
