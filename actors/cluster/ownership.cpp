#include "actors/cluster/ownership.hpp"

#include <algorithm>
#include <iterator>

namespace floe::cluster {

ownership::ownership(std::string self) : self_(std::move(self)) {}

bool ownership::should_own(uint64_t key_h) const noexcept {
  return !left_ && majority_ && in_members_ && table_.owner_of_hash(key_h) == self_;
}

ownership_diff ownership::update(std::vector<std::string> members, bool majority) {
  rendezvous_table next(std::move(members));
  ownership_diff diff;
  if (left_)
    return diff;
  if (majority == majority_ && next.members() == table_.members())
    return diff;
  table_ = std::move(next);
  majority_ = majority;
  in_members_ = std::binary_search(table_.members().begin(), table_.members().end(), self_);

  std::set<std::string, std::less<>> now_owned;
  if (majority_ && in_members_)
    for (const auto& [key, kh] : known_)
      if (should_own(kh))
        now_owned.insert(key);
  std::set_difference(now_owned.begin(), now_owned.end(), owned_.begin(), owned_.end(),
                      std::back_inserter(diff.acquired));
  std::set_difference(owned_.begin(), owned_.end(), now_owned.begin(), now_owned.end(),
                      std::back_inserter(diff.released));
  owned_ = std::move(now_owned);
  return diff;
}

ownership_diff ownership::discover(std::string_view key) {
  ownership_diff diff;
  if (key.empty())
    return diff;
  std::string k(key);
  if (known_.count(k) != 0)
    return diff;
  uint64_t kh = key_hash(k);
  known_.emplace(k, kh);
  if (should_own(kh)) {
    owned_.insert(k);
    diff.acquired.push_back(std::move(k));
  }
  return diff;
}

ownership_diff ownership::leave() {
  ownership_diff diff;
  diff.released.assign(owned_.begin(), owned_.end());
  owned_.clear();
  left_ = true;
  majority_ = false;
  table_ = rendezvous_table{};
  in_members_ = false;
  return diff;
}

bool ownership::owns(std::string_view key) const {
  return owned_.find(key) != owned_.end();
}

std::string_view ownership::owner_of(std::string_view key) const noexcept {
  return table_.owner_of(key);
}

std::vector<std::string> ownership::known_keys() const {
  std::vector<std::string> out;
  out.reserve(known_.size());
  for (const auto& [key, kh] : known_)
    out.push_back(key);
  std::sort(out.begin(), out.end());
  return out;
}

bool ownership::knows(std::string_view key) const {
  return known_.count(std::string(key)) > 0;
}

} // namespace floe::cluster
