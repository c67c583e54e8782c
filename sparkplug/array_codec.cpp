#include "sparkplug/array_codec.hpp"

#include <cstring>
#include <limits>

namespace floe::sparkplug {

namespace {

template <size_t Width>
uint64_t load_le(const uint8_t* p) noexcept {
  uint64_t v = 0;
  for (size_t k = 0; k < Width; ++k)
    v |= uint64_t{p[k]} << (8 * k);
  return v;
}

template <size_t Width>
void store_le(std::string& out, uint64_t v) {
  char buf[Width];
  for (size_t k = 0; k < Width; ++k)
    buf[k] = static_cast<char>(static_cast<uint8_t>(v >> (8 * k)));
  out.append(buf, Width);
}

floe::unexpected<error> too_many(datatype t, size_t count, size_t max_elements) {
  return fail(errc::limit_exceeded, std::string(to_string(t)) + ": " + std::to_string(count)
                                      + " elements exceed max_elements "
                                      + std::to_string(max_elements));
}

template <size_t Width, class Element, class Convert>
result<void> unpack_fixed(const uint8_t* data, size_t size, datatype t, value& out,
                          size_t max_elements, Convert convert) {
  if (size % Width != 0)
    return fail(errc::array_malformed, std::string(to_string(t)) + ": " + std::to_string(size)
                                         + " bytes is not a multiple of "
                                         + std::to_string(Width));
  size_t count = size / Width;
  if (count > max_elements)
    return too_many(t, count, max_elements);
  std::vector<Element> elements(count);
  for (size_t i = 0; i < count; ++i)
    elements[i] = convert(load_le<Width>(data + i * Width));
  out = std::move(elements);
  return {};
}

int64_t sign_extend_8(uint64_t u) noexcept {
  return static_cast<int8_t>(static_cast<uint8_t>(u));
}
int64_t sign_extend_16(uint64_t u) noexcept {
  return static_cast<int16_t>(static_cast<uint16_t>(u));
}
int64_t sign_extend_32(uint64_t u) noexcept {
  return static_cast<int32_t>(static_cast<uint32_t>(u));
}
int64_t as_int64(uint64_t u) noexcept {
  return static_cast<int64_t>(u);
}
uint64_t as_uint64(uint64_t u) noexcept {
  return u;
}
float as_float(uint64_t u) noexcept {
  auto bits = static_cast<uint32_t>(u);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
double as_double(uint64_t u) noexcept {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

result<void> unpack_booleans(const uint8_t* data, size_t size, value& out,
                             size_t max_elements) {
  if (size < 4)
    return fail(errc::array_malformed, "BooleanArray: " + std::to_string(size)
                                         + " bytes, shorter than its 4-byte element count");
  uint64_t count = load_le<4>(data);
  uint64_t data_bytes = (count + 7) / 8;
  if (size - 4 != data_bytes)
    return fail(errc::array_malformed, "BooleanArray: count " + std::to_string(count) + " needs "
                                         + std::to_string(data_bytes) + " data bytes, got "
                                         + std::to_string(size - 4));
  if (count > max_elements)
    return too_many(datatype::boolean_array, count, max_elements);
  std::vector<bool> elements(count);
  const uint8_t* bits = data + 4;
  for (size_t i = 0; i < count; ++i)
    elements[i] = (bits[i / 8] >> (7 - i % 8)) & 1u;
  out = std::move(elements);
  return {};
}

result<void> unpack_strings(const uint8_t* data, size_t size, value& out,
                            size_t max_elements) {
  if (size > 0 && data[size - 1] != 0)
    return fail(errc::array_malformed, "StringArray: last element is not NUL-terminated");
  size_t count = 0;
  for (size_t i = 0; i < size; ++i)
    count += data[i] == 0;
  if (count > max_elements)
    return too_many(datatype::string_array, count, max_elements);
  std::vector<std::string> elements;
  elements.reserve(count);
  const char* p = reinterpret_cast<const char*>(data);
  const char* end = p + size;
  while (p < end) {
    auto len = std::strlen(p); // terminated: the last byte is NUL
    elements.emplace_back(p, len);
    p += len + 1;
  }
  out = std::move(elements);
  return {};
}

floe::unexpected<error> wrong_alternative(datatype t, const char* needed, const value& v) {
  return fail(errc::value_mismatch, std::string("datatype ") + to_string(t) + " needs " + needed
                                      + ", the value holds " + held_alternative_name(v));
}

floe::unexpected<error> out_of_range(datatype t, size_t index, const std::string& shown) {
  return fail(errc::value_mismatch, std::string(to_string(t)) + " element " + std::to_string(index)
                                      + " (" + shown + ") is out of range");
}

template <size_t Width>
result<void> pack_signed(const value& v, datatype t, std::string& out) {
  auto* elements = std::get_if<std::vector<int64_t>>(&v);
  if (elements == nullptr)
    return wrong_alternative(t, "vector<int64_t>", v);
  constexpr int64_t lo = Width == 8 ? std::numeric_limits<int64_t>::min()
                                    : -(int64_t{1} << (8 * Width - 1));
  constexpr int64_t hi = Width == 8 ? std::numeric_limits<int64_t>::max()
                                    : (int64_t{1} << (8 * Width - 1)) - 1;
  out.reserve(out.size() + elements->size() * Width);
  for (size_t i = 0; i < elements->size(); ++i) {
    auto x = (*elements)[i];
    if (x < lo || x > hi)
      return out_of_range(t, i, std::to_string(x));
    store_le<Width>(out, static_cast<uint64_t>(x));
  }
  return {};
}

template <size_t Width>
result<void> pack_unsigned(const value& v, datatype t, std::string& out) {
  auto* elements = std::get_if<std::vector<uint64_t>>(&v);
  if (elements == nullptr)
    return wrong_alternative(t, "vector<uint64_t>", v);
  constexpr uint64_t hi = Width == 8 ? std::numeric_limits<uint64_t>::max()
                                     : (uint64_t{1} << (8 * Width)) - 1;
  out.reserve(out.size() + elements->size() * Width);
  for (size_t i = 0; i < elements->size(); ++i) {
    auto x = (*elements)[i];
    if (x > hi)
      return out_of_range(t, i, std::to_string(x));
    store_le<Width>(out, x);
  }
  return {};
}

} // namespace

result<void> unpack_array(const uint8_t* data, size_t size, datatype t, value& out,
                          size_t max_elements) {
  switch (t) {
    case datatype::int8_array:
      return unpack_fixed<1, int64_t>(data, size, t, out, max_elements, sign_extend_8);
    case datatype::int16_array:
      return unpack_fixed<2, int64_t>(data, size, t, out, max_elements, sign_extend_16);
    case datatype::int32_array:
      return unpack_fixed<4, int64_t>(data, size, t, out, max_elements, sign_extend_32);
    case datatype::int64_array:
      return unpack_fixed<8, int64_t>(data, size, t, out, max_elements, as_int64);
    case datatype::uint8_array:
      return unpack_fixed<1, uint64_t>(data, size, t, out, max_elements, as_uint64);
    case datatype::uint16_array:
      return unpack_fixed<2, uint64_t>(data, size, t, out, max_elements, as_uint64);
    case datatype::uint32_array:
      return unpack_fixed<4, uint64_t>(data, size, t, out, max_elements, as_uint64);
    case datatype::uint64_array:
    case datatype::datetime_array:
      return unpack_fixed<8, uint64_t>(data, size, t, out, max_elements, as_uint64);
    case datatype::float_array:
      return unpack_fixed<4, float>(data, size, t, out, max_elements, as_float);
    case datatype::double_array:
      return unpack_fixed<8, double>(data, size, t, out, max_elements, as_double);
    case datatype::boolean_array:
      return unpack_booleans(data, size, out, max_elements);
    case datatype::string_array:
      return unpack_strings(data, size, out, max_elements);
    default:
      return fail(errc::invalid_datatype, std::string(to_string(t)) + " is not an array type");
  }
}

result<void> pack_array(const value& v, datatype t, std::string& out) {
  switch (t) {
    case datatype::int8_array:
      return pack_signed<1>(v, t, out);
    case datatype::int16_array:
      return pack_signed<2>(v, t, out);
    case datatype::int32_array:
      return pack_signed<4>(v, t, out);
    case datatype::int64_array:
      return pack_signed<8>(v, t, out);
    case datatype::uint8_array:
      return pack_unsigned<1>(v, t, out);
    case datatype::uint16_array:
      return pack_unsigned<2>(v, t, out);
    case datatype::uint32_array:
      return pack_unsigned<4>(v, t, out);
    case datatype::uint64_array:
    case datatype::datetime_array:
      return pack_unsigned<8>(v, t, out);
    case datatype::float_array: {
      auto* elements = std::get_if<std::vector<float>>(&v);
      if (elements == nullptr)
        return wrong_alternative(t, "vector<float>", v);
      out.reserve(out.size() + elements->size() * 4);
      for (float f : *elements) {
        uint32_t bits;
        std::memcpy(&bits, &f, sizeof bits);
        store_le<4>(out, bits);
      }
      return {};
    }
    case datatype::double_array: {
      auto* elements = std::get_if<std::vector<double>>(&v);
      if (elements == nullptr)
        return wrong_alternative(t, "vector<double>", v);
      out.reserve(out.size() + elements->size() * 8);
      for (double d : *elements) {
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        store_le<8>(out, bits);
      }
      return {};
    }
    case datatype::boolean_array: {
      auto* elements = std::get_if<std::vector<bool>>(&v);
      if (elements == nullptr)
        return wrong_alternative(t, "vector<bool>", v);
      if (elements->size() > std::numeric_limits<uint32_t>::max())
        return fail(errc::value_mismatch, "BooleanArray: more elements than its uint32 count");
      store_le<4>(out, elements->size());
      size_t first = out.size();
      out.append((elements->size() + 7) / 8, '\0');
      for (size_t i = 0; i < elements->size(); ++i)
        if ((*elements)[i])
          out[first + i / 8] = static_cast<char>(out[first + i / 8] | (0x80 >> (i % 8)));
      return {};
    }
    case datatype::string_array: {
      auto* elements = std::get_if<std::vector<std::string>>(&v);
      if (elements == nullptr)
        return wrong_alternative(t, "vector<string>", v);
      for (size_t i = 0; i < elements->size(); ++i) {
        const auto& s = (*elements)[i];
        if (s.find('\0') != std::string::npos)
          return fail(errc::value_mismatch,
                      "StringArray element " + std::to_string(i) + " contains NUL");
        out += s;
        out += '\0';
      }
      return {};
    }
    default:
      return fail(errc::invalid_datatype, std::string(to_string(t)) + " is not an array type");
  }
}

} // namespace floe::sparkplug
