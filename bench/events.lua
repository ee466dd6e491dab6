-- wrk script of the events benchmark: POSTs CloudEvents, one per request (to …/event) or a batch
-- (to …/events), each with an id of its own, of type PREFIX followed by a random number below
-- TYPES, or exactly PREFIX when TYPES is 0. Arguments (after --): BATCH TYPES PREFIX.
local batch, types, prefix, idPrefix
local counter = 0

function init(args)
  batch = tonumber(args[1])
  types = tonumber(args[2])
  prefix = args[3]
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
  idPrefix = os.time() .. "-" .. math.random(1, 1e9) .. "-"
  wrk.method = "POST"
  wrk.headers["Content-Type"] = batch == 1 and "application/cloudevents+json" or "application/cloudevents-batch+json"
end

local function event()
  counter = counter + 1
  local type = types > 0 and (prefix .. math.random(0, types - 1)) or prefix
  return '{"specversion":"1.0","id":"' .. idPrefix .. counter .. '","source":"/bench","type":"' .. type ..
    '","data":{"n":' .. counter .. '}}'
end

function request()
  if batch == 1 then
    return wrk.format(nil, nil, nil, event())
  end
  local events = {}
  for i = 1, batch do
    events[i] = event()
  end
  return wrk.format(nil, nil, nil, "[" .. table.concat(events, ",") .. "]")
end
