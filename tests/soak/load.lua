-- The soak's mixed load for wrk (tests/soak/load.mjs runs it a minute at a time): audited
-- reads of cases, caller cards and insurance records, case lists, case creations and notes,
-- picked at random by weight. Prints one "SOAK key=value ..." line when wrk is done.
-- Environment: SOAK_TOKEN (a supervisor's), SOAK_NIDS (a file of national ids, one a line),
-- SOAK_MAX_CASE (case ids 1..N exist), SOAK_LOAD_MIX (optional).
local threads = {}
function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

local token = os.getenv("SOAK_TOKEN")
local max_case = tonumber(os.getenv("SOAK_MAX_CASE"))
local nids = {}
local get_h = { ["Authorization"] = "Bearer " .. token }
local post_h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
local seq = 0
local kinds = {}
-- the weights (percent) of each kind of request; SOAK_LOAD_MIX ("case_read:100") replaces them
local mix = {
	{ 35, "case_read" }, { 15, "card" }, { 15, "history" }, { 10, "list" }, { 20, "create" }, { 5, "note" },
}
local mix_env = os.getenv("SOAK_LOAD_MIX")
if mix_env and #mix_env > 0 then
	mix = {}
	for name, w in string.gmatch(mix_env, "([%a_]+):(%d+)") do
		mix[#mix + 1] = { tonumber(w), name }
	end
end
ok2xx, c4xx, c5xx, created = 0, 0, 0, 0

function init(args)
	for line in io.lines(os.getenv("SOAK_NIDS")) do
		if #line > 0 then nids[#nids + 1] = line end
	end
	math.randomseed(os.time() * 7919 + (tid or 0) * 104729)
end

local function pick()
	local x = math.random(100)
	for _, m in ipairs(mix) do
		if x <= m[1] then return m[2] end
		x = x - m[1]
	end
	return "case_read"
end

function request()
	local k = pick()
	local nid = nids[math.random(#nids)]
	if k == "case_read" then
		return wrk.format("GET", "/api/v1/cases/" .. math.random(1, max_case), get_h)
	elseif k == "card" then
		return wrk.format("GET", "/api/v1/people/" .. nid, get_h)
	elseif k == "history" then
		return wrk.format("GET", "/api/v1/people/" .. nid .. "/history", get_h)
	elseif k == "list" then
		return wrk.format("GET", "/api/v1/cases?limit=20&open=1", get_h)
	elseif k == "create" then
		seq = seq + 1
		local body = string.format('{"national_id":"%s","channel":"phone","topic":"pension_not_paid",' ..
			'"subject":"soak load t%d n%d","description":"مستمری این ماه هنوز واریز نشده است."}', nid, tid or 0, seq)
		return wrk.format("POST", "/api/v1/cases", post_h, body)
	else
		return wrk.format("POST", "/api/v1/cases/" .. math.random(1, max_case) .. "/events", post_h,
			'{"type":"note","text":"soak load note"}')
	end
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	end
	if status < 300 then
		ok2xx = ok2xx + 1
	elseif status < 500 then
		c4xx = c4xx + 1
	else
		c5xx = c5xx + 1
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local sums = { ok2xx = 0, c4xx = 0, c5xx = 0, created = 0 }
	for _, t in ipairs(threads) do
		for k, _ in pairs(sums) do sums[k] = sums[k] + (tonumber(t:get(k)) or 0) end
	end
	io.write(string.format("SOAK requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect_err=%d read_err=%d " ..
		"write_err=%d timeout_err=%d ok2xx=%d c4xx=%d c5xx=%d created=%d\n",
		summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read,
		e.write, e.timeout, sums.ok2xx, sums.c4xx, sums.c5xx, sums.created))
end
