-- bench/large workload for Lua: a mix of what real Lua programs do (tables,
-- strings and patterns, closures and metatables, sorting, floating point),
-- printing checksums that must be the same natively, under node and wasmrt.
-- Raises no errors and uses no coroutines (the wasm build cannot unwind; see
-- bench/large/wasi-shim/lua-config.h). Scale: first argument (default 1).
local scale = tonumber(arg and arg[1]) or 1

-- 1. Objects with metatables: a small vector class, n-body style update.
local Vec = {}
Vec.__index = Vec
local function vec(x, y, z) return setmetatable({x = x, y = y, z = z}, Vec) end
function Vec.__add(a, b) return vec(a.x + b.x, a.y + b.y, a.z + b.z) end
function Vec.__mul(a, s) return vec(a.x * s, a.y * s, a.z * s) end
function Vec:dot(b) return self.x * b.x + self.y * b.y + self.z * b.z end
local bodies = {}
for i = 1, 40 do
  bodies[i] = {pos = vec(i, i * 0.5, -i), vel = vec(0, 0, 0), mass = 1 + i % 7}
end
for _ = 1, 25 * scale do
  for i = 1, #bodies do
    local bi = bodies[i]
    for j = i + 1, #bodies do
      local bj = bodies[j]
      local d = vec(bj.pos.x - bi.pos.x, bj.pos.y - bi.pos.y, bj.pos.z - bi.pos.z)
      local dist2 = d:dot(d) + 0.01
      local f = 0.001 / (dist2 * math.sqrt(dist2))
      bi.vel = bi.vel + d * (f * bj.mass)
      bj.vel = bj.vel + d * (-f * bi.mass)
    end
  end
  for i = 1, #bodies do bodies[i].pos = bodies[i].pos + bodies[i].vel * 0.01 end
end
local energy = 0
for i = 1, #bodies do energy = energy + 0.5 * bodies[i].mass * bodies[i].vel:dot(bodies[i].vel) end
print(string.format("nbody energy %.6e", energy))

-- 2. Strings: build a text, split it into words, count them, gsub, find.
local words = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
local seed = 12345
local function rand(n) seed = (seed * 1103515245 + 12345) % 2147483648; return (seed // 65536) % n end
local parts = {}
for i = 1, 30000 * scale do
  parts[#parts + 1] = words[rand(#words) + 1] .. (rand(10) == 0 and tostring(i) or "")
end
local text = table.concat(parts, " ")
local counts, total = {}, 0
for w in text:gmatch("%a+") do counts[w] = (counts[w] or 0) + 1; total = total + 1 end
local keys = {}
for k in pairs(counts) do keys[#keys + 1] = k end
table.sort(keys)
local summary = {}
for _, k in ipairs(keys) do summary[#summary + 1] = k .. "=" .. counts[k] end
print("words " .. total .. " " .. table.concat(summary, ","))
local upper, n = text:gsub("(%a)(%a*)", function(a, b) return a:upper() .. b end)
print("gsub " .. n .. " " .. #upper .. " " .. upper:sub(1, 40))
local digits = 0
for d in text:gmatch("%d+") do digits = digits + tonumber(d) end
print("digits " .. digits)

-- 3. Sorting records with a comparison closure.
local records = {}
for i = 1, 60000 * scale do
  records[i] = {id = i, key = rand(100000), name = words[rand(#words) + 1]}
end
table.sort(records, function(a, b)
  if a.key ~= b.key then return a.key < b.key end
  return a.id < b.id
end)
local h = 0
for i = 1, #records, 97 do h = (h * 31 + records[i].id + #records[i].name) % 1000000007 end
print("sort " .. records[1].key .. " " .. records[#records].key .. " " .. h)

-- 4. A small JSON encoder and decoder, round trip.
local function encode(v, out)
  local t = type(v)
  if t == "table" then
    if #v > 0 then
      out[#out + 1] = "["
      for i = 1, #v do if i > 1 then out[#out + 1] = "," end; encode(v[i], out) end
      out[#out + 1] = "]"
    else
      local ks = {}
      for k in pairs(v) do ks[#ks + 1] = k end
      table.sort(ks)
      out[#out + 1] = "{"
      for i, k in ipairs(ks) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = string.format("%q:", k); encode(v[k], out)
      end
      out[#out + 1] = "}"
    end
  elseif t == "string" then out[#out + 1] = string.format("%q", v)
  elseif math.type(v) == "integer" then out[#out + 1] = tostring(v)
  else out[#out + 1] = string.format("%.17g", v) end
end
local function decode(s)
  local pos = 1
  local function ws() pos = s:find("[^ \n\t]", pos) or #s + 1 end
  local value
  function value()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      local obj = {}; pos = pos + 1; ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1; return obj end
      while true do
        local k = value(); ws(); pos = pos + 1 -- ':'
        obj[k] = value(); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "}" then return obj end
      end
    elseif c == "[" then
      local arr = {}; pos = pos + 1; ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1; return arr end
      while true do
        arr[#arr + 1] = value(); ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "]" then return arr end
      end
    elseif c == '"' then
      local e = s:find('"', pos + 1, true)
      local str = s:sub(pos + 1, e - 1); pos = e + 1; return str
    else
      local num = s:match("^-?[%d.eE+-]+", pos); pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  return value()
end
local doc = {}
for i = 1, 3000 * scale do
  doc[i] = {id = i, name = words[i % #words + 1], score = i * 0.25, tags = {i % 3, i % 5, i % 7}}
end
local out = {}
encode(doc, out)
local json = table.concat(out)
local back = decode(json)
local out2 = {}
encode(back, out2)
local json2 = table.concat(out2)
local sum = 0
for i = 1, #back do sum = sum + back[i].score + back[i].tags[3] end
print("json " .. #json .. " " .. tostring(json == json2) .. " " .. string.format("%.2f", sum))

-- 5. Closures and upvalues: memoised recursive functions.
local function memo(f)
  local cache = {}
  return function(n)
    local v = cache[n]
    if v == nil then v = f(n); cache[n] = v end
    return v
  end
end
local collatz
collatz = memo(function(n)
  if n == 1 then return 0 end
  if n % 2 == 0 then return 1 + collatz(n // 2) end
  return 1 + collatz(3 * n + 1)
end)
local best, bestn = 0, 0
-- Not scaled: with 200000 numbers (scale 2) node 20 crashes with SIGSEGV after
-- the script has finished (seen with node v20.20.2; wasmrt and native are fine).
for i = 1, 100000 do
  local c = collatz(i)
  if c > best then best, bestn = c, i end
end
print("collatz " .. bestn .. " " .. best)
