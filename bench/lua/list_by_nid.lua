-- GET PATH_PREFIX .. national id .. PATH_SUFFIX, the ids picked at random from NID_FILE (one
-- a line). Environment: BENCH_LUA_DIR, PATH_PREFIX, PATH_SUFFIX (may be unset), NID_FILE,
-- TOKEN.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local prefix = os.getenv("PATH_PREFIX")
local suffix = os.getenv("PATH_SUFFIX") or ""
local headers = {["Authorization"] = "Bearer " .. os.getenv("TOKEN")}
local ids = {}

function init(args)
	ids = read_ids(os.getenv("NID_FILE"))
	seed_thread()
end

function request()
	return wrk.format("GET", prefix .. ids[math.random(#ids)] .. suffix, headers)
end
