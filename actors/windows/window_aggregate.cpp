#include "actors/windows/window_aggregate.hpp"

#include <algorithm>
#include <cmath>

namespace floe::windows {

namespace {

// Neumaier's variant of Kahan summation: keeps the low-order bits that `sum + x` drops in
// `compensation`, whichever of the two operands is larger.
void compensated_add(double& sum, double& compensation, double x) {
  double t = sum + x;
  if (std::fabs(sum) >= std::fabs(x))
    compensation += (sum - t) + x;
  else
    compensation += (x - t) + sum;
  sum = t;
}

bool same_value(value_kind kind, const sample& s, bool flag, const std::string& text) {
  return kind == value_kind::boolean ? s.flag == flag : s.text == text;
}

} // namespace

std::string_view to_string(value_kind k) {
  switch (k) {
    case value_kind::numeric:
      return "numeric";
    case value_kind::boolean:
      return "boolean";
    case value_kind::string:
      return "string";
  }
  return "unknown";
}

std::string_view to_string(errc e) {
  switch (e) {
    case errc::wrong_series:
      return "wrong_series";
    case errc::kind_mismatch:
      return "kind_mismatch";
    case errc::non_finite_value:
      return "non_finite_value";
    case errc::timestamp_out_of_range:
      return "timestamp_out_of_range";
    case errc::out_of_order:
      return "out_of_order";
    case errc::bad_width:
      return "bad_width";
    case errc::bad_lateness:
      return "bad_lateness";
    case errc::raw_source_failed:
      return "raw_source_failed";
    case errc::missing_raw_source:
      return "missing_raw_source";
  }
  return "unknown";
}

bool operator==(const sample& a, const sample& b) {
  return a.series_id == b.series_id && a.timestamp_ms == b.timestamp_ms && a.seq == b.seq
         && a.kind == b.kind && a.historical == b.historical
         && (a.kind != value_kind::numeric || a.number == b.number)
         && (a.kind != value_kind::boolean || a.flag == b.flag)
         && (a.kind != value_kind::string || a.text == b.text);
}

bool operator==(const window_result& a, const window_result& b) {
  return a.series_id == b.series_id && a.width_ms == b.width_ms && a.start_ms == b.start_ms
         && a.end_ms == b.end_ms && a.kind == b.kind && a.final == b.final
         && a.recomputed == b.recomputed && a.count == b.count
         && a.first_ts_ms == b.first_ts_ms && a.last_ts_ms == b.last_ts_ms && a.min == b.min
         && a.max == b.max && a.sum == b.sum && a.mean == b.mean && a.stddev == b.stddev
         && a.first == b.first && a.last == b.last && a.last_flag == b.last_flag
         && a.time_true_ms == b.time_true_ms && a.changes == b.changes
         && a.last_text == b.last_text;
}

void window_aggregate::add_numeric(double x) {
  if (count_ == 0) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  compensated_add(sum_, sum_compensation_, x);
  ++count_;
  double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (x - mean_);
}

result<void, errc> window_aggregate::add(const sample& s) {
  if (s.kind != kind_)
    return make_unexpected(errc::kind_mismatch);
  auto key = key_of(s);
  if (kind_ == value_kind::numeric) {
    if (!std::isfinite(s.number))
      return make_unexpected(errc::non_finite_value);
    bool was_empty = count_ == 0;
    add_numeric(s.number);
    if (was_empty || key < first_key_) {
      first_key_ = key;
      first_number_ = s.number;
    }
    if (was_empty || last_key_ < key) {
      last_key_ = key;
      last_number_ = s.number;
    }
    return {};
  }
  if (count_ == 0) {
    first_key_ = last_key_ = key;
    first_flag_ = last_flag_ = s.flag;
    if (kind_ == value_kind::string)
      first_text_ = last_text_ = s.text;
    count_ = 1;
    return {};
  }
  if (key <= last_key_)
    return make_unexpected(errc::out_of_order);
  if (!same_value(kind_, s, last_flag_, last_text_))
    ++changes_;
  if (kind_ == value_kind::boolean && last_flag_)
    true_ms_ += s.timestamp_ms - last_key_.timestamp_ms;
  last_key_ = key;
  last_flag_ = s.flag;
  if (kind_ == value_kind::string)
    last_text_ = s.text;
  ++count_;
  return {};
}

result<void, errc> window_aggregate::merge(const window_aggregate& later) {
  if (later.kind_ != kind_)
    return make_unexpected(errc::kind_mismatch);
  if (later.count_ == 0)
    return {};
  if (count_ == 0) {
    *this = later;
    return {};
  }
  if (kind_ == value_kind::numeric) {
    double na = static_cast<double>(count_);
    double nb = static_cast<double>(later.count_);
    double n = na + nb;
    double delta = later.mean_ - mean_;
    mean_ += delta * (nb / n);
    m2_ += later.m2_ + delta * delta * (na * nb / n);
    compensated_add(sum_, sum_compensation_, later.sum_);
    sum_compensation_ += later.sum_compensation_;
    min_ = std::min(min_, later.min_);
    max_ = std::max(max_, later.max_);
    count_ += later.count_;
    if (later.first_key_ < first_key_) {
      first_key_ = later.first_key_;
      first_number_ = later.first_number_;
    }
    if (last_key_ < later.last_key_) {
      last_key_ = later.last_key_;
      last_number_ = later.last_number_;
    }
    return {};
  }
  if (later.first_key_ <= last_key_)
    return make_unexpected(errc::out_of_order);
  bool boundary_change = kind_ == value_kind::boolean ? later.first_flag_ != last_flag_
                                                      : later.first_text_ != last_text_;
  changes_ += later.changes_ + (boundary_change ? 1 : 0);
  if (kind_ == value_kind::boolean && last_flag_)
    true_ms_ += later.first_key_.timestamp_ms - last_key_.timestamp_ms;
  true_ms_ += later.true_ms_;
  count_ += later.count_;
  last_key_ = later.last_key_;
  last_flag_ = later.last_flag_;
  last_text_ = later.last_text_;
  return {};
}

window_result window_aggregate::finish(uint64_t series_id, int64_t width_ms, int64_t start_ms,
                                       const sample* carry_in, int64_t until_ms) const {
  window_result r;
  r.series_id = series_id;
  r.width_ms = width_ms;
  r.start_ms = start_ms;
  r.end_ms = start_ms + width_ms;
  r.kind = kind_;
  r.count = count_;
  if (count_ == 0)
    return r;
  r.first_ts_ms = first_key_.timestamp_ms;
  r.last_ts_ms = last_key_.timestamp_ms;
  if (kind_ == value_kind::numeric) {
    r.min = min_;
    r.max = max_;
    r.sum = sum_ + sum_compensation_;
    r.mean = mean_;
    r.stddev = std::sqrt(m2_ / static_cast<double>(count_));
    r.first = first_number_;
    r.last = last_number_;
    return r;
  }
  // A carry-in of another kind or not before the window (caller error) counts as unknown.
  bool carry_known = carry_in != nullptr && carry_in->kind == kind_
                     && carry_in->timestamp_ms < start_ms;
  r.changes = changes_;
  if (carry_known && !same_value(kind_, *carry_in, first_flag_, first_text_))
    ++r.changes;
  if (kind_ == value_kind::boolean) {
    r.last_flag = last_flag_;
    int64_t true_ms = true_ms_;
    if (carry_known && carry_in->flag)
      true_ms += std::max<int64_t>(0, first_key_.timestamp_ms - start_ms);
    if (last_flag_) {
      int64_t until = std::max(std::min(until_ms, r.end_ms), last_key_.timestamp_ms);
      true_ms += until - last_key_.timestamp_ms;
    }
    r.time_true_ms = true_ms;
  } else {
    r.last_text = last_text_;
  }
  return r;
}

} // namespace floe::windows
