-- Shared by the bench's wrk scripts (loaded with dofile). Gives every thread a number,
-- and prints one machine-readable "BENCH key=value ..." line when wrk is done, so
-- bench/run.sh never parses wrk's human-readable summary. Latencies are microseconds.
local threads = {}

function setup(thread)
	thread:set("thread_id", #threads + 1)
	table.insert(threads, thread)
end

-- per-thread counters a script keeps as globals; done() sums them over the threads
counter_names = counter_names or {}

function done(summary, latency, requests)
	local e = summary.errors
	local parts = {
		"BENCH",
		string.format("requests=%d", summary.requests),
		string.format("duration_us=%d", summary.duration),
		string.format("bytes=%d", summary.bytes),
		string.format("p50_us=%d", latency:percentile(50)),
		string.format("p90_us=%d", latency:percentile(90)),
		string.format("p99_us=%d", latency:percentile(99)),
		string.format("max_us=%d", latency.max),
		string.format("mean_us=%.1f", latency.mean),
		string.format("connect_err=%d", e.connect),
		string.format("read_err=%d", e.read),
		string.format("write_err=%d", e.write),
		string.format("status_err=%d", e.status),
		string.format("timeout_err=%d", e.timeout),
	}
	for _, name in ipairs(counter_names) do
		local total = 0
		for _, t in ipairs(threads) do
			total = total + (tonumber(t:get(name)) or 0)
		end
		table.insert(parts, string.format("%s=%d", name, total))
	end
	io.write(table.concat(parts, " "), "\n")
end

-- Seeds this thread's random numbers apart from the other threads'.
function seed_thread()
	math.randomseed(os.time() * 7919 + (thread_id or 0) * 104729)
end

-- The non-empty lines of a file (national ids, one a line).
function read_ids(path)
	local ids = {}
	for line in io.lines(path) do
		if #line > 0 then
			ids[#ids + 1] = line
		end
	end
	return ids
end
