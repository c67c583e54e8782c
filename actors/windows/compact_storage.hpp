#pragma once
// Compact building blocks for per-series state (series_windows, window_aggregate): there is one
// of those per metric of every device, so every byte here is multiplied by the fleet size.
//
// heap_box<T>: an optional T on the heap behind one pointer (8 bytes when empty), copied deeply.
// Used for values only some kinds of series need (strings), so a numeric series pays 8 bytes
// instead of sizeof(std::string) (32) per copy.
//
// stored_point: one point of a series as the series keeps it (on-time buffer, last sealed
// point): 24 bytes instead of sizeof(sample) (80). The series id is the series' own; the text
// of a string point lives on the heap, in place of the number.

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "actors/windows/window_types.hpp"

namespace floe::windows {

template <class T>
class heap_box {
public:
  heap_box() = default;
  heap_box(const heap_box& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  heap_box(heap_box&&) noexcept = default;
  heap_box& operator=(const heap_box& other) {
    if (this == &other)
      return *this;
    if (!other.ptr_)
      ptr_.reset();
    else if (ptr_)
      *ptr_ = *other.ptr_;
    else
      ptr_ = std::make_unique<T>(*other.ptr_);
    return *this;
  }
  heap_box& operator=(heap_box&&) noexcept = default;
  ~heap_box() = default;

  explicit operator bool() const { return ptr_ != nullptr; }
  T* get() const { return ptr_.get(); }
  T& operator*() const { return *ptr_; }
  T* operator->() const { return ptr_.get(); }
  // The value, default-constructed first if there is none.
  T& ensure() {
    if (!ptr_)
      ptr_ = std::make_unique<T>();
    return *ptr_;
  }
  void reset() { ptr_.reset(); }

private:
  std::unique_ptr<T> ptr_;
};
static_assert(sizeof(heap_box<std::string>) == sizeof(void*));

class stored_point {
  // 24 bytes (the order of the members matters): the value shares storage with the text of a
  // string point (owned, null when empty); kind_ tells which one is there.
  union {
    double number_;
    std::string* text_;
  };

public:
  int64_t timestamp_ms = 0;
  uint16_t seq = 0;
  bool flag = false;             // boolean series
  bool historical = false;

  stored_point() : number_(0) {}
  // Keeps only what a series of kind s.kind needs (the comparison of samples ignores the
  // value fields of other kinds too).
  explicit stored_point(const sample& s)
    : number_(0), timestamp_ms(s.timestamp_ms), seq(s.seq), historical(s.historical),
      kind_(s.kind) {
    switch (s.kind) {
      case value_kind::numeric:
        number_ = s.number;
        break;
      case value_kind::boolean:
        flag = s.flag;
        break;
      case value_kind::string:
        text_ = s.text.empty() ? nullptr : new std::string(s.text);
        break;
    }
  }
  stored_point(const stored_point& other)
    : timestamp_ms(other.timestamp_ms),
      seq(other.seq),
      flag(other.flag),
      historical(other.historical),
      kind_(other.kind_) {
    if (kind_ == value_kind::string)
      text_ = other.text_ != nullptr ? new std::string(*other.text_) : nullptr;
    else
      number_ = other.number_;
  }
  stored_point(stored_point&& other) noexcept
    : timestamp_ms(other.timestamp_ms),
      seq(other.seq),
      flag(other.flag),
      historical(other.historical),
      kind_(other.kind_) {
    if (kind_ == value_kind::string) {
      text_ = other.text_;
      other.text_ = nullptr;
    } else {
      number_ = other.number_;
    }
  }
  stored_point& operator=(const stored_point& other) {
    if (this != &other) {
      stored_point copy{other};
      swap(copy);
    }
    return *this;
  }
  stored_point& operator=(stored_point&& other) noexcept {
    if (this != &other) {
      stored_point moved{std::move(other)};
      swap(moved);
    }
    return *this;
  }
  ~stored_point() {
    if (kind_ == value_kind::string)
      delete text_;
  }

  void swap(stored_point& other) noexcept {
    std::swap(timestamp_ms, other.timestamp_ms);
    std::swap(seq, other.seq);
    std::swap(flag, other.flag);
    std::swap(historical, other.historical);
    // Both union members are trivially copyable: swap the representation.
    unsigned char tmp[sizeof(number_)];
    std::memcpy(tmp, &number_, sizeof(number_));
    std::memcpy(static_cast<void*>(&number_), &other.number_, sizeof(number_));
    std::memcpy(static_cast<void*>(&other.number_), tmp, sizeof(number_));
    std::swap(kind_, other.kind_);
  }

  point_key key() const { return {timestamp_ms, seq}; }
  value_kind kind() const { return kind_; }

  // The sample again, as series `series_id` received it.
  sample to_sample(uint64_t series_id) const {
    sample s;
    s.series_id = series_id;
    s.timestamp_ms = timestamp_ms;
    s.seq = seq;
    s.kind = kind_;
    s.historical = historical;
    switch (kind_) {
      case value_kind::numeric:
        s.number = number_;
        break;
      case value_kind::boolean:
        s.flag = flag;
        break;
      case value_kind::string:
        if (text_ != nullptr)
          s.text = *text_;
        break;
    }
    return s;
  }

private:
  value_kind kind_ = value_kind::numeric;
};
static_assert(sizeof(void*) != 8 || sizeof(stored_point) == 24,
              "stored_point is kept small (one per buffered point)");

} // namespace floe::windows
