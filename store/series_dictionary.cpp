#include "store/series_dictionary.hpp"

#include <set>
#include <unordered_map>

#include "config/defaults.hpp"

namespace floe::store {

namespace {

constexpr std::string_view name_prefix = "series/name/";
constexpr std::string_view id_prefix = "series/id/";

std::string name_key(std::string_view name) {
  std::string k(name_prefix);
  k += name;
  return k;
}

std::string id_key(series_id id) {
  std::string k(id_prefix);
  append_be32(k, id);
  return k;
}

// The key after every key starting with `prefix` (prefix has no trailing 0xFF here).
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

result<void> check_name(std::string_view name) {
  if (name.empty())
    return fail(errc::invalid_argument, "empty series name");
  if (name.size() > defaults::store::max_series_name_bytes)
    return fail(errc::invalid_argument, "series name of " + std::to_string(name.size())
                                          + " bytes exceeds "
                                          + std::to_string(defaults::store::max_series_name_bytes));
  return {};
}

} // namespace

std::string series_name(std::string_view group, std::string_view edge_node,
                        std::string_view device, std::string_view metric) {
  std::string out;
  out.reserve(group.size() + edge_node.size() + device.size() + metric.size() + 3);
  out += group;
  out += '/';
  out += edge_node;
  out += '/';
  out += device;
  out += '/';
  out += metric;
  return out;
}

series_dictionary::series_dictionary(storage& db) : db_(db) {}

result<std::unique_ptr<series_dictionary>> series_dictionary::load(storage& db) {
  std::unique_ptr<series_dictionary> dict(new series_dictionary(db));
  std::optional<error> broken;
  auto corrupt = [&broken](std::string detail) {
    if (!broken)
      broken = error{errc::corruption, "series dictionary: " + std::move(detail)};
    return false;
  };
  scan_range by_name{family::meta, std::string(name_prefix), prefix_end(name_prefix)};
  auto r = db.scan(by_name, [&](std::string_view key, std::string_view value) {
    auto name = key.substr(name_prefix.size());
    if (value.size() != 4)
      return corrupt("id of \"" + std::string(name) + "\" has " + std::to_string(value.size())
                     + " bytes, expected 4");
    series_id id = read_be32(value.data());
    if (id < first_series_id || id > max_series_id)
      return corrupt("\"" + std::string(name) + "\" has the invalid id " + std::to_string(id));
    if (!dict->names_.insert(id, name)) {
      if (auto other = dict->names_.name_of(id))
        return corrupt("id " + std::to_string(id) + " is assigned to \"" + std::string(*other)
                       + "\" and \"" + std::string(name) + "\"");
      return corrupt("\"" + std::string(name) + "\" has the implausible id "
                     + std::to_string(id) + " (ids are assigned densely from "
                     + std::to_string(first_series_id) + ")");
    }
    return true;
  });
  if (!r)
    return floe::unexpected<error>{r.error()};
  if (broken)
    return floe::unexpected<error>{std::move(*broken)};
  // Both halves of every assignment are written in one batch: a mismatch is damage.
  size_t reverse_entries = 0;
  scan_range by_id{family::meta, std::string(id_prefix), prefix_end(id_prefix)};
  r = db.scan(by_id, [&](std::string_view key, std::string_view value) {
    ++reverse_entries;
    auto raw = key.substr(id_prefix.size());
    if (raw.size() != 4)
      return corrupt("reverse key with a " + std::to_string(raw.size()) + "-byte id");
    series_id id = read_be32(raw.data());
    auto name = dict->names_.name_of(id);
    if (!name || *name != value)
      return corrupt("id " + std::to_string(id) + " maps back to \"" + std::string(value)
                     + "\", which does not map to it");
    return true;
  });
  if (!r)
    return floe::unexpected<error>{r.error()};
  if (broken)
    return floe::unexpected<error>{std::move(*broken)};
  if (reverse_entries != dict->names_.size())
    return fail(errc::corruption, "series dictionary: " + std::to_string(dict->names_.size())
                                    + " names but " + std::to_string(reverse_entries) + " ids");
  dict->names_.for_each([&](series_id id, std::string_view) {
    if (id >= dict->next_)
      dict->next_ = id + 1;
  });
  return dict;
}

result<series_id> series_dictionary::resolve(std::string_view name) {
  auto ids = resolve_all({std::string(name)});
  if (!ids)
    return floe::unexpected<error>{ids.error()};
  return ids->front();
}

result<std::vector<series_id>>
series_dictionary::resolve_all(const std::vector<std::string>& names) {
  for (const auto& name : names)
    if (auto ok = check_name(name); !ok)
      return floe::unexpected<error>{ok.error()};
  std::vector<series_id> out;
  out.reserve(names.size());
  {
    // Fast path: every name is known (all data messages after the birth).
    std::shared_lock<std::shared_mutex> read{maps_mutex_};
    for (const auto& name : names) {
      auto id = names_.find(name);
      if (!id)
        break;
      out.push_back(*id);
    }
    if (out.size() == names.size())
      return out;
  }
  out.clear();
  std::lock_guard<std::mutex> assigning{assign_mutex_};
  // New names of this call in first-seen order, with the ids they will get.
  std::vector<std::pair<std::string_view, series_id>> fresh;
  std::unordered_map<std::string_view, series_id> fresh_ids;
  series_id next = next_;
  {
    std::shared_lock<std::shared_mutex> read{maps_mutex_};
    for (const auto& name : names) {
      if (auto id = names_.find(name)) {
        out.push_back(*id);
        continue;
      }
      if (auto it = fresh_ids.find(name); it != fresh_ids.end()) {
        out.push_back(it->second);
        continue;
      }
      if (next > max_series_id)
        return fail(errc::invalid_argument, "series id space exhausted");
      fresh.emplace_back(name, next);
      fresh_ids.emplace(name, next);
      out.push_back(next++);
    }
  }
  if (fresh.empty()) // another caller assigned them meanwhile
    return out;
  write_batch batch;
  // No fsync of its own: every point under these ids comes in a later batch, and the WAL's
  // order makes the assignment durable with that batch (an fsync per birth capped births at
  // a few thousand per second).
  batch.require_wal();
  for (const auto& [name, id] : fresh) {
    std::string id_bytes;
    append_be32(id_bytes, id);
    batch.put(family::meta, name_key(name), id_bytes);
    batch.put(family::meta, id_key(id), std::string(name));
  }
  if (auto r = db_.commit(batch); !r)
    return floe::unexpected<error>{r.error()};
  std::unique_lock<std::shared_mutex> write{maps_mutex_};
  for (const auto& [name, id] : fresh)
    names_.insert(id, name);
  next_ = next;
  return out;
}

std::optional<series_id> series_dictionary::find(std::string_view name) const {
  std::shared_lock<std::shared_mutex> read{maps_mutex_};
  return names_.find(name);
}

std::optional<std::string> series_dictionary::name_of(series_id id) const {
  std::shared_lock<std::shared_mutex> read{maps_mutex_};
  auto name = names_.name_of(id);
  if (!name)
    return std::nullopt;
  return std::string(*name);
}

size_t series_dictionary::size() const {
  std::shared_lock<std::shared_mutex> read{maps_mutex_};
  return names_.size();
}

series_id series_dictionary::next_free_id() const {
  std::shared_lock<std::shared_mutex> guard{maps_mutex_};
  return next_;
}

std::vector<std::string> series_dictionary::edge_nodes() const {
  std::set<std::string> keys;
  std::shared_lock<std::shared_mutex> guard{maps_mutex_};
  names_.for_each([&](series_id, std::string_view name) {
    auto first = name.find('/');
    auto second = first == std::string::npos ? first : name.find('/', first + 1);
    if (second != std::string::npos)
      keys.emplace(name.substr(0, second));
  });
  return {keys.begin(), keys.end()};
}

} // namespace floe::store
