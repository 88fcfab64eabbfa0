-- GET PATH_PREFIX .. random(1, MAX_ID): case reads spread over many cases when aimed at
-- tamin (/api/v1/cases/), or the same request shape aimed at nginx's static file
-- (/case.json?id=), so that wrk spends the same effort per request on both.
-- Environment: BENCH_LUA_DIR, PATH_PREFIX, MAX_ID, TOKEN (optional: Bearer header).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local prefix = os.getenv("PATH_PREFIX")
local max_id = tonumber(os.getenv("MAX_ID"))
local token = os.getenv("TOKEN")
local headers = {}
if token and token ~= "" then
	headers["Authorization"] = "Bearer " .. token
end

function init(args)
	seed_thread()
end

function request()
	return wrk.format("GET", prefix .. math.random(1, max_id), headers)
end
