-- POST /api/v1/cases with national ids picked at random from NID_FILE, until the wall
-- clock reaches DEADLINE (whole Unix seconds). After the deadline each connection sends
-- one request with an unfinished header block, which the server waits on and never
-- answers before wrk stops: no case is created after the deadline, wrk records no
-- latency for it, and every create sent before the deadline has had the drain time
-- (wrk's -d minus the deadline) to come back. So the 201s counted here are exactly the
-- cases the server created, which run.sh checks against the database.
-- Environment: BENCH_LUA_DIR, NID_FILE, TOKEN, DEADLINE.
counter_names = {"created", "other_2xx", "client_err", "server_err"}
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers = {
	["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
	["Content-Type"] = "application/json",
}
local deadline = tonumber(os.getenv("DEADLINE"))
local stall = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" -- no blank line: never complete
local ids = {}
local seq = 0
local subjects = {"عدم واریز مستمری ماه جاری", "تأخیر در پرداخت مستمری بازنشستگی",
                  "کسر مبلغ از مستمری بدون اطلاع"}

created, other_2xx, client_err, server_err = 0, 0, 0, 0

function init(args)
	ids = read_ids(os.getenv("NID_FILE"))
	seed_thread()
end

function request()
	if os.time() >= deadline then
		return stall
	end
	seq = seq + 1
	local body = string.format(
		'{"national_id":"%s","channel":"phone","topic":"pension_not_paid",' ..
		'"subject":"%s","description":"bench t%d n%d: مستمری این ماه هنوز واریز نشده است."}',
		ids[math.random(#ids)], subjects[math.random(#subjects)], thread_id or 0, seq)
	return wrk.format("POST", "/api/v1/cases", headers, body)
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	elseif status < 300 then
		other_2xx = other_2xx + 1
	elseif status < 500 then
		client_err = client_err + 1
	else
		server_err = server_err + 1
	end
end
