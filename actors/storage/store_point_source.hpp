#pragma once
// The window aggregators' raw_point_source over a member's storage: reads the `points` family.
// Stored values map to samples as the device actor made them: double, int64 and uint64 ->
// numeric, bool -> boolean, string -> string; null and bytes points are not samples.
// Thread-safe (storage is); the store_writer forwards samples only after their commit, which
// gives the consistency raw_point_source.hpp asks for.

#include <memory>
#include <optional>

#include "actors/windows/raw_point_source.hpp"
#include "store/storage.hpp"
#include "store/values.hpp"

namespace floe::storage_actors {

// nullopt for values that are not window samples.
std::optional<windows::sample> sample_of(const store::stored_point& p);

class store_point_source final : public windows::raw_point_source {
public:
  explicit store_point_source(std::shared_ptr<store::storage> db) : db_(std::move(db)) {}

  result<std::vector<windows::sample>, windows::errc> points(uint64_t series_id, int64_t from_ms,
                                                             int64_t to_ms) override;
  result<std::optional<windows::sample>, windows::errc> last_before(uint64_t series_id,
                                                                    int64_t before_ms) override;
  result<std::optional<windows::sample>, windows::errc> first_from(uint64_t series_id,
                                                                   int64_t from_ms) override;

private:
  result<std::optional<windows::sample>, windows::errc> one(const store::scan_range& range);
  std::shared_ptr<store::storage> db_;
};

} // namespace floe::storage_actors
