#include "store/values.hpp"

#include <cmath>
#include <cstring>

#include "store/storage.hpp"

namespace floe::store {

namespace {

enum tag : uint8_t {
  tag_null = 0,
  tag_double = 1,
  tag_float = 2,
  tag_int64 = 3,
  tag_uint64 = 4,
  tag_false = 5,
  tag_true = 6,
  tag_string = 7,
  tag_bytes = 8,
};
constexpr uint8_t type_mask = 0x0F;
constexpr uint8_t flag_historical = 0x10;
constexpr uint8_t flag_quality = 0x20;
constexpr uint8_t flags_reserved = 0xC0;

constexpr uint8_t window_format_version = 1;

uint64_t bits_of(double d) noexcept {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

double double_of(uint64_t u) noexcept {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

uint64_t zigzag(int64_t v) noexcept {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int64_t unzigzag(uint64_t v) noexcept {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

void append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void append_double(std::string& out, double d) {
  append_be64(out, bits_of(d));
}

// True if `d` survives a round trip through float bit for bit (NaN payloads included).
bool fits_float(double d) noexcept {
  float f = static_cast<float>(d);
  if (std::isnan(d))
    return false; // NaN payloads may change in the conversion; keep all 8 bytes
  return bits_of(static_cast<double>(f)) == bits_of(d);
}

// Bounds-checked cursor over encoded bytes. Every read names what it was reading, so a
// malformed record says where it broke.
class reader {
public:
  reader(std::string_view what, std::string_view bytes) : what_(what), bytes_(bytes) {}

  size_t pos() const noexcept { return pos_; }
  bool at_end() const noexcept { return pos_ == bytes_.size(); }
  const error& err() const noexcept { return err_; }
  bool failed() const noexcept { return failed_; }

  bool byte(uint8_t& out, const char* field) {
    if (!need(1, field))
      return false;
    out = static_cast<uint8_t>(bytes_[pos_++]);
    return true;
  }

  bool varint(uint64_t& out, const char* field) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size())
        return broken(std::string("truncated varint in ") + field);
      auto b = static_cast<uint8_t>(bytes_[pos_++]);
      if (shift == 63 && b > 1)
        return broken(std::string("varint overflows 64 bits in ") + field);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        out = v;
        return true;
      }
    }
    return broken(std::string("varint longer than 10 bytes in ") + field);
  }

  bool signed_varint(int64_t& out, const char* field) {
    uint64_t v;
    if (!varint(v, field))
      return false;
    out = unzigzag(v);
    return true;
  }

  bool be64(uint64_t& out, const char* field) {
    if (!need(8, field))
      return false;
    out = read_be64(bytes_.data() + pos_);
    pos_ += 8;
    return true;
  }

  bool be32(uint32_t& out, const char* field) {
    if (!need(4, field))
      return false;
    out = read_be32(bytes_.data() + pos_);
    pos_ += 4;
    return true;
  }

  bool real(double& out, const char* field) {
    uint64_t u;
    if (!be64(u, field))
      return false;
    out = double_of(u);
    return true;
  }

  bool chunk(std::string_view& out, const char* field) {
    uint64_t len;
    if (!varint(len, field))
      return false;
    if (len > bytes_.size() - pos_)
      return broken(std::string(field) + " length " + std::to_string(len) + " exceeds the "
                    + std::to_string(bytes_.size() - pos_) + " bytes left");
    out = bytes_.substr(pos_, static_cast<size_t>(len));
    pos_ += static_cast<size_t>(len);
    return true;
  }

  bool broken(std::string detail) {
    if (!failed_) {
      failed_ = true;
      err_ = error{errc::corruption, std::string(what_) + ": " + detail + " (at byte "
                                       + std::to_string(pos_) + " of "
                                       + std::to_string(bytes_.size()) + ")"};
    }
    return false;
  }

private:
  bool need(size_t n, const char* field) {
    if (bytes_.size() - pos_ < n)
      return broken(std::string("truncated ") + field);
    return true;
  }

  std::string_view what_;
  std::string_view bytes_;
  size_t pos_ = 0;
  bool failed_ = false;
  error err_;
};

uint8_t type_tag_of(const stored_value& v) noexcept {
  switch (v.index()) {
    case 0:
      return tag_null;
    case 1:
      return fits_float(std::get<double>(v)) ? tag_float : tag_double;
    case 2:
      return tag_int64;
    case 3:
      return tag_uint64;
    case 4:
      return std::get<bool>(v) ? tag_true : tag_false;
    case 5:
      return tag_string;
    default:
      return tag_bytes;
  }
}

void append_payload(std::string& out, uint8_t type, const stored_value& v) {
  switch (type) {
    case tag_double:
      append_double(out, std::get<double>(v));
      break;
    case tag_float: {
      float f = static_cast<float>(std::get<double>(v));
      uint32_t u;
      std::memcpy(&u, &f, sizeof u);
      append_be32(out, u);
      break;
    }
    case tag_int64:
      append_varint(out, zigzag(std::get<int64_t>(v)));
      break;
    case tag_uint64:
      append_varint(out, std::get<uint64_t>(v));
      break;
    case tag_string: {
      const auto& s = std::get<std::string>(v);
      append_varint(out, s.size());
      out += s;
      break;
    }
    case tag_bytes: {
      const auto& b = std::get<byte_string>(v);
      append_varint(out, b.size());
      out.append(reinterpret_cast<const char*>(b.data()), b.size());
      break;
    }
    default: // null, false, true: the tag says it all
      break;
  }
}

bool read_payload(reader& in, uint8_t type, stored_value& out) {
  switch (type) {
    case tag_null:
      out = std::monostate{};
      return true;
    case tag_double: {
      double d;
      if (!in.real(d, "double value"))
        return false;
      out = d;
      return true;
    }
    case tag_float: {
      uint32_t u;
      if (!in.be32(u, "float value"))
        return false;
      float f;
      std::memcpy(&f, &u, sizeof f);
      out = static_cast<double>(f);
      return true;
    }
    case tag_int64: {
      int64_t i;
      if (!in.signed_varint(i, "int64 value"))
        return false;
      out = i;
      return true;
    }
    case tag_uint64: {
      uint64_t u;
      if (!in.varint(u, "uint64 value"))
        return false;
      out = u;
      return true;
    }
    case tag_false:
      out = false;
      return true;
    case tag_true:
      out = true;
      return true;
    case tag_string: {
      std::string_view s;
      if (!in.chunk(s, "string value"))
        return false;
      out = std::string(s);
      return true;
    }
    case tag_bytes: {
      std::string_view s;
      if (!in.chunk(s, "bytes value"))
        return false;
      out = byte_string(reinterpret_cast<const uint8_t*>(s.data()),
                        reinterpret_cast<const uint8_t*>(s.data()) + s.size());
      return true;
    }
    default:
      return in.broken("unknown value type tag " + std::to_string(type));
  }
}

void append_embedded_value(std::string& out, const stored_value& v) {
  uint8_t type = type_tag_of(v);
  out.push_back(static_cast<char>(type));
  append_payload(out, type, v);
}

bool read_embedded_value(reader& in, stored_value& out) {
  uint8_t tag_byte;
  if (!in.byte(tag_byte, "value tag"))
    return false;
  if ((tag_byte & ~type_mask) != 0)
    return in.broken("flag bits set in an embedded value tag");
  return read_payload(in, tag_byte, out);
}

} // namespace

bool same_value(const stored_value& a, const stored_value& b) noexcept {
  if (a.index() != b.index())
    return false;
  if (auto* d = std::get_if<double>(&a))
    return bits_of(*d) == bits_of(std::get<double>(b));
  return a == b;
}

bool same_point(const stored_point& a, const stored_point& b) noexcept {
  return a.series == b.series && a.timestamp_ms == b.timestamp_ms && a.seq == b.seq
         && same_value(a.value, b.value) && a.flags.historical == b.flags.historical
         && a.flags.quality == b.flags.quality;
}

void append_point_value(std::string& out, const stored_value& value, const point_flags& flags) {
  uint8_t type = type_tag_of(value);
  uint8_t tag_byte = type;
  if (flags.historical)
    tag_byte |= flag_historical;
  bool with_quality = flags.quality != quality_good;
  if (with_quality)
    tag_byte |= flag_quality;
  out.push_back(static_cast<char>(tag_byte));
  if (with_quality)
    append_varint(out, zigzag(flags.quality));
  append_payload(out, type, value);
}

std::string encode_point_value(const stored_value& value, const point_flags& flags) {
  std::string out;
  append_point_value(out, value, flags);
  return out;
}

result<point_value> decode_point_value(std::string_view bytes) {
  reader in("point value", bytes);
  point_value out;
  uint8_t tag_byte = 0;
  if (!in.byte(tag_byte, "tag"))
    return floe::unexpected<error>{in.err()};
  if (tag_byte & flags_reserved) {
    in.broken("reserved flag bits set in tag byte " + std::to_string(tag_byte));
    return floe::unexpected<error>{in.err()};
  }
  out.flags.historical = (tag_byte & flag_historical) != 0;
  if (tag_byte & flag_quality) {
    int64_t q;
    if (!in.signed_varint(q, "quality"))
      return floe::unexpected<error>{in.err()};
    if (q < INT32_MIN || q > INT32_MAX) {
      in.broken("quality " + std::to_string(q) + " outside int32");
      return floe::unexpected<error>{in.err()};
    }
    out.flags.quality = static_cast<int32_t>(q);
  }
  if (!read_payload(in, tag_byte & type_mask, out.value))
    return floe::unexpected<error>{in.err()};
  if (!in.at_end()) {
    in.broken("trailing bytes after the value");
    return floe::unexpected<error>{in.err()};
  }
  return out;
}

result<stored_point> decode_point(std::string_view key, std::string_view value) {
  auto k = decode_point_key(key);
  if (!k)
    return floe::unexpected<error>{k.error()};
  auto v = decode_point_value(value);
  if (!v)
    return floe::unexpected<error>{v.error()};
  stored_point p;
  p.series = k->series;
  p.timestamp_ms = k->timestamp_ms;
  p.seq = k->seq;
  p.value = std::move(v->value);
  p.flags = v->flags;
  return p;
}

void put_point(write_batch& batch, const stored_point& p) {
  std::string key;
  key.reserve(point_key_size);
  append_point_key(key, p.series, p.timestamp_ms, p.seq);
  std::string value;
  append_point_value(value, p.value, p.flags);
  batch.put(family::points, std::move(key), std::move(value));
}

double window_record::mean() const noexcept {
  return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

double window_record::variance() const noexcept {
  return count == 0 ? 0.0 : sum_sq_dev / static_cast<double>(count);
}

double window_record::stddev() const noexcept {
  return std::sqrt(variance());
}

bool same_window(const window_record& a, const window_record& b) noexcept {
  auto eq = [](double x, double y) { return bits_of(x) == bits_of(y); };
  return a.series == b.series && a.width_ms == b.width_ms && a.start_ms == b.start_ms
         && a.kind == b.kind && a.count == b.count && a.first_ts_ms == b.first_ts_ms
         && a.last_ts_ms == b.last_ts_ms && eq(a.min, b.min) && eq(a.max, b.max)
         && eq(a.sum, b.sum) && eq(a.sum_sq_dev, b.sum_sq_dev) && eq(a.first, b.first)
         && eq(a.last, b.last) && same_value(a.last_value, b.last_value)
         && a.changes == b.changes && a.time_true_ms == b.time_true_ms;
}

// Layout: version, kind, count, first_ts, last_ts, min, max, sum, sum_sq_dev, first, last,
// last_value, changes, time_true_ms. Every field is written whatever the kind: windows are
// few (one per series and width per window), so simplicity beats the bytes saved.
std::string encode_window_value(const window_record& w) {
  std::string out;
  out.reserve(80);
  out.push_back(static_cast<char>(window_format_version));
  out.push_back(static_cast<char>(w.kind));
  append_varint(out, w.count);
  append_varint(out, zigzag(w.first_ts_ms));
  append_varint(out, zigzag(w.last_ts_ms));
  for (double d : {w.min, w.max, w.sum, w.sum_sq_dev, w.first, w.last})
    append_double(out, d);
  append_embedded_value(out, w.last_value);
  append_varint(out, w.changes);
  append_varint(out, zigzag(w.time_true_ms));
  return out;
}

result<window_record> decode_window_value(std::string_view bytes) {
  reader in("window value", bytes);
  window_record w;
  uint8_t version = 0;
  uint8_t kind = 0;
  bool ok = in.byte(version, "format version");
  if (ok && version != window_format_version)
    ok = in.broken("unknown format version " + std::to_string(version));
  ok = ok && in.byte(kind, "kind");
  if (ok && kind > static_cast<uint8_t>(window_kind::text))
    ok = in.broken("unknown window kind " + std::to_string(kind));
  w.kind = static_cast<window_kind>(kind);
  ok = ok && in.varint(w.count, "count") && in.signed_varint(w.first_ts_ms, "first timestamp")
       && in.signed_varint(w.last_ts_ms, "last timestamp") && in.real(w.min, "min")
       && in.real(w.max, "max") && in.real(w.sum, "sum")
       && in.real(w.sum_sq_dev, "sum of squared deviations") && in.real(w.first, "first")
       && in.real(w.last, "last") && read_embedded_value(in, w.last_value)
       && in.varint(w.changes, "changes") && in.signed_varint(w.time_true_ms, "time true");
  if (ok && !in.at_end())
    ok = in.broken("trailing bytes after the record");
  if (!ok)
    return floe::unexpected<error>{in.err()};
  return w;
}

result<window_record> decode_window(std::string_view key, std::string_view value) {
  auto k = decode_window_key(key);
  if (!k)
    return floe::unexpected<error>{k.error()};
  auto w = decode_window_value(value);
  if (!w)
    return w;
  w->series = k->series;
  w->width_ms = k->width_ms;
  w->start_ms = k->start_ms;
  return w;
}

result<void> put_window(write_batch& batch, const window_record& w) {
  if (w.width_ms == 0)
    return fail(errc::invalid_argument, "window of series " + std::to_string(w.series)
                                          + " has width 0");
  batch.put(family::windows, window_key(w.series, w.width_ms, w.start_ms),
            encode_window_value(w));
  return {};
}

} // namespace floe::store
