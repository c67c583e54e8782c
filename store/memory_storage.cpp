#include "store/memory_storage.hpp"

#include <mutex>
#include <new>

#include "store/retention.hpp"

namespace floe::store {

namespace {

bool valid(family f) {
  return static_cast<size_t>(f) < family_count;
}

error bad_family(family f) {
  return error{errc::invalid_argument,
               "no column family with index " + std::to_string(static_cast<int>(f))};
}

} // namespace

result<void> memory_storage::commit(const write_batch& batch) {
  for (const auto& op : batch.operations())
    if (!valid(op.fam))
      return floe::unexpected<error>{bad_family(op.fam)};
  std::unique_lock lock{mutex_};
  try {
    for (const auto& op : batch.operations()) {
      auto& fd = data(op.fam);
      auto it = fd.entries.find(op.key);
      if (op.erase) {
        if (it != fd.entries.end()) {
          fd.bytes -= it->first.size() + it->second.size();
          fd.entries.erase(it);
        }
      } else if (it != fd.entries.end()) {
        fd.bytes = fd.bytes - it->second.size() + op.value.size();
        it->second = op.value;
      } else {
        fd.entries.emplace(op.key, op.value);
        fd.bytes += op.key.size() + op.value.size();
      }
    }
  } catch (const std::bad_alloc&) {
    // Only an exhausted heap gets here; the batch may be partly applied, as after a crash of
    // a process without WAL.
    return fail(errc::no_space, "memory storage: out of memory during a commit of "
                                  + std::to_string(batch.size()) + " operations");
  }
  return {};
}

result<std::string> memory_storage::get(family f, std::string_view key) {
  if (!valid(f))
    return floe::unexpected<error>{bad_family(f)};
  std::shared_lock lock{mutex_};
  const auto& entries = data(f).entries;
  auto it = entries.find(key);
  if (it == entries.end())
    return fail(errc::not_found, std::string("no key of ") + std::to_string(key.size())
                                   + " bytes in " + to_string(f));
  return it->second;
}

result<size_t> memory_storage::scan(const scan_range& range, const scan_visitor& visit) {
  if (!valid(range.fam))
    return floe::unexpected<error>{bad_family(range.fam)};
  std::shared_lock lock{mutex_};
  const auto& entries = data(range.fam).entries;
  bool bounded = !range.end.empty();
  if (bounded && range.end <= range.begin)
    return size_t{0};
  auto first = entries.lower_bound(range.begin);
  auto last = bounded ? entries.lower_bound(range.end) : entries.end();
  size_t visited = 0;
  if (range.order == scan_order::ascending) {
    for (auto it = first; it != last && visited < range.limit; ++it) {
      ++visited;
      if (!visit(it->first, it->second))
        break;
    }
  } else {
    for (auto it = last; it != first && visited < range.limit;) {
      --it;
      ++visited;
      if (!visit(it->first, it->second))
        break;
    }
  }
  return visited;
}

result<uint64_t> memory_storage::approximate_size(family f) {
  if (!valid(f))
    return floe::unexpected<error>{bad_family(f)};
  std::shared_lock lock{mutex_};
  return data(f).bytes;
}

result<void> memory_storage::delete_older_than(family f, int64_t cutoff_ms) {
  if (!valid(f))
    return floe::unexpected<error>{bad_family(f)};
  std::unique_lock lock{mutex_};
  auto& fd = data(f);
  auto seek = [&fd](std::string_view key) -> result<std::optional<std::string>> {
    auto it = fd.entries.lower_bound(key);
    if (it == fd.entries.end())
      return std::optional<std::string>{};
    return std::optional<std::string>{it->first};
  };
  auto ranges = retention_ranges(f, cutoff_ms, seek);
  if (!ranges)
    return floe::unexpected<error>{ranges.error()};
  for (const auto& r : *ranges) {
    auto it = fd.entries.lower_bound(r.begin);
    auto end = fd.entries.lower_bound(r.end);
    while (it != end) {
      fd.bytes -= it->first.size() + it->second.size();
      it = fd.entries.erase(it);
    }
  }
  return {};
}

std::string memory_storage::describe() const {
  return "memory";
}

} // namespace floe::store
