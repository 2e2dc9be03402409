-- Allocation-heavy Lua: tables that grow and shrink, strings built and thrown
-- away, closures, coroutines, weak tables and full GC cycles. Output does not
-- depend on table traversal order (Lua seeds its string hash per run).

local function checksum(s)
  local h = 0
  for i = 1, #s, 7 do h = (h * 31 + s:byte(i)) % 1000000007 end
  return h
end

-- tables of tables, grown then emptied
local rows = {}
for i = 1, 40000 do
  rows[i] = { id = i, name = "row" .. i, tags = { i % 3, i % 5, i % 7 } }
end
local sum = 0
for i = 1, #rows, 3 do sum = sum + rows[i].tags[1] + rows[i].tags[2] + #rows[i].name end
print("rows", #rows, sum)
local kept = {}
for i = 1, #rows, 2 do kept[#kept + 1] = rows[i] end
for _ = 1, 5000 do table.remove(kept) end
print("after remove", #kept, kept[#kept].name)
rows = nil
collectgarbage("collect")

-- strings: concatenation, gsub, rep, format, split
local parts = {}
for i = 1, 20000 do
  parts[#parts + 1] = string.format("%05d:%s", i, string.rep(string.char(97 + i % 26), i % 40))
end
local big = table.concat(parts, ",")
print("big", #big, checksum(big))
local n = 0
for word in big:gmatch("[^,]+") do n = n + #word end
print("words", n)
local swapped = big:gsub("(%d+):(%a*)", "%2=%1")
print("gsub", #swapped, checksum(swapped))
parts, big, swapped = nil, nil, nil

-- closures and upvalues
local makers = {}
for i = 1, 30000 do
  local acc = i
  makers[i] = function(x) acc = acc + x; return acc end
end
local total = 0
for round = 1, 3 do
  for i = 1, #makers, 5 do total = total + makers[i](round) end
end
print("closures", total)
makers = nil

-- coroutines producing lists
local function producer(k)
  return coroutine.wrap(function()
    for i = 1, k do coroutine.yield({ i, tostring(i * i) }) end
  end)
end
local got = 0
for c = 1, 200 do
  for item in producer(100 + c % 50) do got = got + #item[2] end
end
print("coroutines", got)

-- a weak cache that the collector empties
local cache = setmetatable({}, { __mode = "v" })
for i = 1, 10000 do cache[i] = { string.rep("x", i % 100) } end
collectgarbage("collect")
local alive = 0
for _ in pairs(cache) do alive = alive + 1 end
print("weak alive", alive)

-- a hash set keyed by strings, filled and cleared three times
for round = 1, 3 do
  local set = {}
  for i = 1, 25000 do set["k" .. (i * round) % 17011] = i end
  local count, keysum = 0, 0
  for k, v in pairs(set) do count = count + 1; keysum = keysum + #k + v % 3 end
  print("set", round, count, keysum)
end

-- metatables and objects
local Vec = {}
Vec.__index = Vec
Vec.__add = function(a, b) return setmetatable({ x = a.x + b.x, y = a.y + b.y }, Vec) end
local acc = setmetatable({ x = 0, y = 0 }, Vec)
for i = 1, 50000 do acc = acc + setmetatable({ x = i % 10, y = i % 7 }, Vec) end
print("vec", acc.x, acc.y)
collectgarbage("collect")
print("done")
