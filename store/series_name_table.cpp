#include "store/series_name_table.hpp"

#include <cstring>
#include <functional>

namespace floe::store {

std::string_view series_name_table::read(const char* entry) {
  auto size = static_cast<size_t>(static_cast<unsigned char>(entry[0]))
              | static_cast<size_t>(static_cast<unsigned char>(entry[1])) << 8;
  return {entry + 2, size};
}

const char* series_name_table::store(std::string_view name) {
  size_t need = name.size() + 2;
  char* at = nullptr;
  if (need > chunk_bytes) { // a name larger than a chunk gets a chunk of its own
    chunks_.push_back(std::make_unique<char[]>(need));
    at = chunks_.back().get();
    chunk_used_ = chunk_bytes; // the next name starts a new chunk
  } else {
    if (chunk_used_ + need > chunk_bytes) {
      chunks_.push_back(std::make_unique<char[]>(chunk_bytes));
      chunk_used_ = 0;
    }
    at = chunks_.back().get() + chunk_used_;
    chunk_used_ += need;
  }
  at[0] = static_cast<char>(name.size() & 0xFF);
  at[1] = static_cast<char>(name.size() >> 8);
  std::memcpy(at + 2, name.data(), name.size());
  return at;
}

size_t series_name_table::slot_of(std::string_view name) const {
  size_t mask = index_.size() - 1;
  size_t slot = std::hash<std::string_view>{}(name) & mask;
  while (index_[slot] != empty_slot && read(by_id_[index_[slot] - first_series_id]) != name)
    slot = (slot + 1) & mask;
  return slot;
}

void series_name_table::grow_index() {
  std::vector<series_id> old = std::move(index_);
  index_.assign(old.empty() ? 64 : old.size() * 2, empty_slot);
  for (series_id id : old)
    if (id != empty_slot)
      index_[slot_of(read(by_id_[id - first_series_id]))] = id;
}

bool series_name_table::insert(series_id id, std::string_view name) {
  if (id < first_series_id || id > max_series_id || name.size() > 0xFFFF)
    return false;
  size_t at = id - first_series_id;
  if (at < by_id_.size() && by_id_[at] != nullptr)
    return false;
  if (at >= by_id_.size() + max_id_jump)
    return false;
  if ((size_ + 1) * 2 > index_.size())
    grow_index();
  size_t slot = slot_of(name);
  if (index_[slot] != empty_slot)
    return false;
  if (at >= by_id_.size())
    by_id_.resize(at + 1, nullptr);
  by_id_[at] = store(name);
  index_[slot] = id;
  ++size_;
  return true;
}

std::optional<series_id> series_name_table::find(std::string_view name) const {
  if (index_.empty())
    return std::nullopt;
  series_id id = index_[slot_of(name)];
  if (id == empty_slot)
    return std::nullopt;
  return id;
}

std::optional<std::string_view> series_name_table::name_of(series_id id) const {
  if (id < first_series_id)
    return std::nullopt;
  size_t at = id - first_series_id;
  if (at >= by_id_.size() || by_id_[at] == nullptr)
    return std::nullopt;
  return read(by_id_[at]);
}

} // namespace floe::store
