-- wrk script for bench/comments.sh: each request posts one comment with its own form token,
-- its own client IP (X-Forwarded-For through the trusted loopback proxy) and its own text.
local tokens, post = {}, nil
local i, offset = 0, 0
-- Globals, not locals: done() reads them back from the thread with thread:get().
acked, refused = 0, 0

function init(args)
  -- Runs in one benchmark use different offsets: a repeated IP within 15 s would be flood
  -- control, a repeated text from the same email a duplicate.
  offset = tonumber(args[2] or "0")
  for line in io.lines(args[1]) do
    local id, token = line:match("^(%d+) (.+)$")
    post = id
    tokens[#tokens + 1] = token
  end
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  i = i + 1
  local token = tokens[i]
  if not token then
    -- Out of forms: keep the connections busy with a cheap GET so that no comment is still in
    -- flight when wrk stops (the exact acknowledged-vs-stored check needs every POST answered).
    return wrk.format("GET", "/robots.txt")
  end
  local n = offset + i
  local body = "comment_post_ID=" .. post .. "&comment_parent=0&newsroom_token=" .. urlencode(token)
    .. "&author=Bench+Reader+" .. n .. "&email=bench" .. n .. "%40example.net"
    .. "&comment=Benchmark+comment+number+" .. n .. "+with+some+words+in+it."
  local ip = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", "/wp-comments-post.php", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = ip,
  }, body)
end

function response(status)
  if status == 303 then
    acked = acked + 1
  elseif status ~= 200 then -- 200 is the filler GET; a comment POST never answers 200
    refused = refused + 1
  end
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local a, r = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("acked"); r = r + t:get("refused") end
  io.write(string.format("acknowledged %d\nrefused %d\n", a, r))
end
