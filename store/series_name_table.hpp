#pragma once
// series_name_table: the series dictionary's in-memory half, ids by name and names by id, with
// each name stored once. Memory: one entry per metric of every device (a million at 100k
// devices), so instead of two hash maps holding two std::string copies of every name (about
// 240 bytes per series with names of 30-40 bytes) the names sit back to back in fixed-size
// chunks that never move, an id indexes a vector of pointers into them, and an
// open-addressing index of ids finds a name's id: about 20 bytes plus the name per series.
// Not thread-safe: series_dictionary guards it. Entries are never removed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "store/keys.hpp"

namespace floe::store {

class series_name_table {
public:
  // Adds id -> name. False (and nothing changes) when the id or the name is already present,
  // the id is outside [first_series_id, max_series_id] or more than max_id_jump past the
  // highest id so far (ids are handed out densely; such an id comes from a damaged store and
  // would cost 8 bytes per skipped id), or the name is longer than 65535 bytes.
  bool insert(series_id id, std::string_view name);
  static constexpr size_t max_id_jump = size_t{1} << 24;
  std::optional<series_id> find(std::string_view name) const;
  // The view stays valid as long as the table.
  std::optional<std::string_view> name_of(series_id id) const;
  size_t size() const { return size_; }

  // f(series_id, std::string_view) for every entry, in id order.
  template <class F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < by_id_.size(); ++i)
      if (by_id_[i] != nullptr)
        f(static_cast<series_id>(i + first_series_id), read(by_id_[i]));
  }

private:
  static constexpr size_t chunk_bytes = 64 * 1024;
  static constexpr series_id empty_slot = 0; // never an assigned id

  static std::string_view read(const char* entry); // 2-byte length, then the bytes
  const char* store(std::string_view name);
  void grow_index();
  size_t slot_of(std::string_view name) const; // the slot holding name, or the empty one

  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = chunk_bytes; // bytes used in chunks_.back()
  std::vector<const char*> by_id_;  // [id - first_series_id]; nullptr: not assigned
  std::vector<series_id> index_;    // power-of-two slots, linear probing, at most half full
  size_t size_ = 0;
};

} // namespace floe::store
