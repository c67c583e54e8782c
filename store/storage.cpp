#include "store/storage.hpp"

#include "config/defaults.hpp"

namespace floe::store {

const char* to_string(family f) noexcept {
  switch (f) {
    case family::points:
      return "points";
    case family::windows:
      return "windows";
    case family::registry:
      return "registry";
    case family::alarms:
      return "alarms";
    case family::meta:
      return "meta";
  }
  return "unknown_family";
}

const char* to_string(durability d) noexcept {
  switch (d) {
    case durability::sync:
      return "sync";
    case durability::wal:
      return "wal";
    case durability::none:
      return "none";
  }
  return "unknown_durability";
}

std::optional<durability> durability_from_string(std::string_view text) noexcept {
  if (text == "sync")
    return durability::sync;
  if (text == "wal")
    return durability::wal;
  if (text == "none")
    return durability::none;
  return std::nullopt;
}

durability default_durability() noexcept {
  return durability_from_string(defaults::store::durability).value_or(durability::sync);
}

void write_batch::put(family f, std::string key, std::string value) {
  payload_bytes_ += key.size() + value.size();
  ops_.push_back(operation{f, false, std::move(key), std::move(value)});
}

void write_batch::erase(family f, std::string_view key) {
  payload_bytes_ += key.size();
  ops_.push_back(operation{f, true, std::string(key), std::string()});
}

void write_batch::clear() noexcept {
  ops_.clear();
  payload_bytes_ = 0;
  sync_required_ = false;
  wal_required_ = false;
}

storage::~storage() = default;

} // namespace floe::store
