-- POST /api/v1/login/otp/start for the pairs of PAIR_FILE ("national_id|mobile" a line),
-- each thread walking its own part of the file in order, so that no pair is asked for often
-- enough to meet the limits (5 codes per national id and per mobile in 15 minutes).
-- Environment: BENCH_LUA_DIR, PAIR_FILE.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pairs_ = {}
local at = 0
local headers = {["Content-Type"] = "application/json"}

function init(args)
	for line in io.lines(os.getenv("PAIR_FILE")) do
		local nid, mobile = line:match("^(%d+)|(%d+)$")
		if nid then
			table.insert(pairs_, string.format('{"national_id":"%s","mobile":"%s"}', nid, mobile))
		end
	end
	-- threads start a part of the file apart
	at = math.floor(#pairs_ * ((thread_id or 1) - 1) / 2)
end

function request()
	at = at % #pairs_ + 1
	return wrk.format("POST", "/api/v1/login/otp/start", headers, pairs_[at])
end
