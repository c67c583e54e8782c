#pragma once
// series_windows: the tumbling windows of every configured width of one series (pure, no CAF;
// owned by one aggregator actor, not shared between threads).
//
// Event time and watermark. The watermark is (newest live event time - allowed lateness);
// historical points never raise it. Ticks raise it for idle series by extrapolating the newest
// event time with the processing time elapsed since the last arrival (so a device clock that
// runs behind the host's does not make its points late). A window [start, end) closes when the
// watermark reaches its end and is then emitted once, final.
//
// On-time points (timestamp >= watermark) wait in a small buffer sorted by (timestamp, seq) and
// are folded into their windows in that order once the watermark passes them. So arrival order
// within the lateness does not matter (results are bit-identical to in-order arrival), and a
// duplicate (same series, timestamp, seq) replaces its first delivery instead of counting twice.
// The buffer holds only the points of the last `allowed lateness` of event time.
//
// Late points (timestamp < watermark, live or historical) re-open their window in every width:
// it is recomputed from the raw point source plus the late points of the same batch (one
// recomputation per window and batch), so duplicates never double count. A closed window is
// emitted again (final, recomputed = true); an open one just gets its corrected state. For
// boolean/string series the window holding the next point after a changed window's last point
// is refreshed too, because its carried-in value (and with it changes/time_true_ms) may change.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/windows/compact_storage.hpp"
#include "actors/windows/raw_point_source.hpp"
#include "actors/windows/window_aggregate.hpp"
#include "actors/windows/window_types.hpp"
#include "common/result.hpp"

namespace floe::windows {

struct window_config {
  std::vector<int64_t> widths_ms;      // ascending, unique, each in (0, max_width_ms]
  int64_t allowed_lateness_ms = 0;     // [0, max_lateness_ms]
  int64_t rebuild_reemit_ms = 0;       // >= 0, see defaults::windows::rebuild_reemit_ms
};

// Validates and normalises (sorts, removes repeated widths). Errors: bad_width, bad_lateness
// (also for a negative rebuild_reemit_ms).
result<window_config, errc> make_window_config(std::vector<int64_t> widths_ms,
                                               int64_t allowed_lateness_ms,
                                               int64_t rebuild_reemit_ms);

// The configuration built from config/defaults.hpp (namespace windows).
window_config default_window_config();

// What one add() call did with its points.
struct add_report {
  uint32_t accepted = 0;            // points applied (on time or late)
  uint32_t late = 0;                // accepted points older than the watermark (recomputed)
  uint32_t rejected = 0;            // invalid points, skipped
  uint32_t recompute_failures = 0;  // windows left uncorrected because the raw source failed
  std::optional<errc> first_error;  // reason of the first rejection or failure
};

class series_windows {
public:
  // config should come from make_window_config (or default_window_config); invalid widths of a
  // hand-made one are dropped and lateness values clamped, never trusted.
  series_windows(uint64_t series_id, value_kind kind, window_config config);

  // Adds the points of one batch, in arrival order, received at processing time arrival_ms.
  // Windows that close or are recomputed are appended to `closed`. Invalid points (other
  // series or kind, non-finite number, timestamp outside [0, max_timestamp_ms]) are skipped
  // and reported; the others are still applied. `raw` is used for late points only.
  add_report add(const sample* points, size_t count, int64_t arrival_ms, raw_point_source& raw,
                 std::vector<window_result>& closed);
  add_report add(const sample& point, int64_t arrival_ms, raw_point_source& raw,
                 std::vector<window_result>& closed) {
    return add(&point, 1, arrival_ms, raw, closed);
  }

  // Processing-time watermark: raises the watermark to (newest event time + (now_ms - last
  // arrival) - allowed lateness) and appends the windows this closes. No-op before any point.
  void advance_processing_time(int64_t now_ms, std::vector<window_result>& closed);

  // Closes every open window now (e.g. before shutdown or a shard hand-over) and returns how
  // many were appended. The watermark moves to the end of the last one, so later points into
  // these windows count as late and are recomputed from raw points.
  size_t close_all(std::vector<window_result>& closed);

  // Current views of the open windows (final = false), by width then start. The last value of
  // a boolean counts as lasting until the series' newest event time.
  std::vector<window_result> open_windows() const;

  // Rebuilds the open windows of a series from its raw points after a restart (kill -9 loses
  // nothing that the store kept): the newest raw point gives the kind and the watermark, the
  // points of the still-open windows are folded again, and closed windows ending within
  // rebuild_reemit_ms before the watermark are appended to `closed` again (final, recomputed)
  // in case their first emission was lost. now_ms is the processing time that later ticks
  // extrapolate from. None if the series has no raw point.
  static result<std::optional<series_windows>, errc>
  rebuild(uint64_t series_id, const window_config& config, raw_point_source& raw,
          int64_t now_ms, std::vector<window_result>& closed);

  uint64_t series_id() const { return id_; }
  value_kind kind() const { return kind_; }
  // INT64_MIN until the first live point (or tick after a point).
  int64_t watermark_ms() const { return watermark_; }
  // Open windows over all widths, including those holding only buffered points.
  size_t open_window_count() const;
  size_t buffered_points() const { return pending_.size(); }

private:
  // Memory: one series_windows per metric of every device, so the state is kept compact (see
  // docs/decisions.md, "windows: compact per-series state"): points as 32-byte stored_point
  // instead of sample, the open windows of all widths in one exactly sized vector, and the
  // configuration shared by every series that has the same one.
  struct open_window {
    int64_t start_ms;
    window_aggregate acc;           // points with timestamp < watermark, in key order
    // carry-in: the series' last point before start_ms (its number is never needed: finish()
    // reads the carry-in of boolean/string windows only)
    int64_t carry_ts_ms = 0;
    heap_box<std::string> carry_text;
    uint16_t carry_seq = 0;
    uint16_t width_index = 0;       // into config widths_ms
    bool has_carry = false;
    bool carry_flag = false;
    bool carry_historical = false;

    open_window(size_t width_index, int64_t start_ms, window_aggregate acc,
                const sample* carry);
    std::optional<sample> carry_in(uint64_t series_id, value_kind kind) const;
  };
  using window_iter = std::vector<open_window>::iterator;

  int64_t width(size_t i) const { return config_->widths_ms[i]; }
  size_t width_count() const { return config_->widths_ms.size(); }
  // The open window of width i starting at start_ms, or where it would be inserted.
  window_iter find_window(size_t i, int64_t start_ms);
  window_iter insert_window(window_iter at, open_window w);
  std::optional<sample> last_sealed() const;
  void set_last_sealed(const sample& s);
  std::optional<errc> validate(const sample& s) const;
  void insert_pending(const sample& s);
  void seal(const sample& s, int64_t keep_windows_ending_after);
  void advance_watermark(int64_t new_watermark, std::vector<window_result>& closed,
                         bool recomputed);
  void apply_late(std::vector<sample>& late, raw_point_source& raw,
                  std::vector<window_result>& closed, add_report& report);
  result<std::optional<point_key>, errc> refresh(size_t width_index, int64_t start_ms,
                                                 const std::vector<sample>& late,
                                                 raw_point_source& raw,
                                                 std::vector<window_result>& closed);
  result<std::vector<sample>, errc> merged_points(raw_point_source& raw, int64_t from_ms,
                                                  int64_t to_ms,
                                                  const std::vector<sample>& late) const;
  result<std::optional<sample>, errc> latest_before(raw_point_source& raw, int64_t before_ms,
                                                    const std::vector<sample>& late) const;
  result<std::optional<sample>, errc> earliest_from(raw_point_source& raw, int64_t from_ms,
                                                    const std::vector<sample>& late) const;
  window_aggregate fold(const std::vector<sample>& points) const;

  uint64_t id_;
  std::shared_ptr<const window_config> config_; // sanitised; shared between equal configs
  int64_t watermark_;
  int64_t newest_live_ms_;     // newest event time of a non-historical point
  int64_t newest_seen_ms_;     // newest event time of any point
  int64_t last_arrival_ms_;    // processing time of the newest arrival
  std::vector<stored_point> pending_; // points with timestamp >= watermark_, in key order
  stored_point last_sealed_;   // newest point with timestamp < watermark_ (if has_last_sealed_)
  std::vector<open_window> open_; // by (width_index, start_ms), ascending
  value_kind kind_;
  bool has_last_sealed_ = false;
};

} // namespace floe::windows
