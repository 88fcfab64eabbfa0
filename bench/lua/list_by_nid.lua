-- GET PATH_PREFIX .. national id, the ids picked at random from NID_FILE (one a line).
-- Environment: BENCH_LUA_DIR, PATH_PREFIX, NID_FILE, TOKEN.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local prefix = os.getenv("PATH_PREFIX")
local headers = {["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
local ids = {}

function init(args)
	for line in io.lines(os.getenv("NID_FILE")) do
		if #line > 0 then
			ids[#ids + 1] = line
		end
	end
	math.randomseed(os.time() * 7919 + (thread_id or 0) * 104729)
end

function request()
	return wrk.format("GET", prefix .. ids[math.random(#ids)], headers)
end
