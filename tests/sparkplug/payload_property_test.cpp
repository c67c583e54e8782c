#define CAF_SUITE payload_property
#include <caf/test/unit_test.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <cstring>

#include "sparkplug/payload_codec.hpp"

using namespace floe::sparkplug;

// Random payloads with every datatype (values of every bit pattern, nulls, nested templates,
// property sets, datasets) must survive encode -> decode unchanged.

namespace {

constexpr int max_nesting = 3;

bool coin(int one_in = 2) {
  return *rc::gen::inRange(0, one_in) == 0;
}

size_t small_count(int max = 5) {
  return static_cast<size_t>(*rc::gen::inRange(0, max + 1));
}

std::string any_string() {
  return *rc::gen::arbitrary<std::string>();
}

float any_float() {
  auto bits = *rc::gen::arbitrary<uint32_t>();
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

double any_double() {
  auto bits = *rc::gen::arbitrary<uint64_t>();
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// A value of a basic datatype in the alternative types.hpp assigns to it; for Unknown one of
// the raw wire alternatives.
template <class Variant>
Variant any_basic(datatype t) {
  switch (t) {
    case datatype::int8:
      return int64_t{*rc::gen::arbitrary<int8_t>()};
    case datatype::int16:
      return int64_t{*rc::gen::arbitrary<int16_t>()};
    case datatype::int32:
      return int64_t{*rc::gen::arbitrary<int32_t>()};
    case datatype::int64:
      return *rc::gen::arbitrary<int64_t>();
    case datatype::uint8:
      return uint64_t{*rc::gen::arbitrary<uint8_t>()};
    case datatype::uint16:
      return uint64_t{*rc::gen::arbitrary<uint16_t>()};
    case datatype::uint32:
      return uint64_t{*rc::gen::arbitrary<uint32_t>()};
    case datatype::uint64:
    case datatype::datetime:
      return *rc::gen::arbitrary<uint64_t>();
    case datatype::float32:
      return any_float();
    case datatype::float64:
      return any_double();
    case datatype::boolean:
      return *rc::gen::arbitrary<bool>();
    case datatype::string:
    case datatype::text:
    case datatype::uuid:
      return any_string();
    default:
      switch (*rc::gen::inRange(0, 5)) {
        case 0:
          return *rc::gen::arbitrary<uint64_t>();
        case 1:
          return any_float();
        case 2:
          return any_double();
        case 3:
          return *rc::gen::arbitrary<bool>();
        default:
          return any_string();
      }
  }
}

datatype any_basic_type() {
  return static_cast<datatype>(*rc::gen::inRange<uint32_t>(0, 15));
}

dataset any_dataset() {
  dataset d;
  size_t columns = small_count(4);
  for (size_t c = 0; c < columns; ++c) {
    d.columns.push_back(any_string());
    d.types.push_back(any_basic_type());
  }
  size_t rows = small_count(4);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<scalar> cells;
    for (size_t c = 0; c < columns; ++c)
      cells.push_back(coin(4) ? scalar{} : any_basic<scalar>(d.types[c]));
    d.rows.push_back(std::move(cells));
  }
  return d;
}

property_set any_property_set(int depth);

property_value any_property_value(int depth) {
  property_value p;
  int kind = *rc::gen::inRange(0, depth < max_nesting ? 4 : 2);
  if (kind == 2) {
    p.type = datatype::property_set;
    p.value = any_property_set(depth + 1);
  } else if (kind == 3) {
    p.type = datatype::property_set_list;
    std::vector<property_set> sets(small_count(2));
    for (auto& s : sets)
      s = any_property_set(depth + 1);
    p.value = std::move(sets);
  } else {
    p.type = any_basic_type();
    p.value = any_basic<decltype(p.value)>(p.type);
  }
  if (coin(6))
    p.value = std::monostate{};
  if (kind >= 2 && coin(4))
    p.type = datatype::unknown; // untyped property set values stay raw
  return p;
}

property_set any_property_set(int depth) {
  property_set s;
  size_t n = small_count(3);
  for (size_t i = 0; i < n; ++i) {
    s.keys.push_back(any_string());
    s.values.push_back(any_property_value(depth));
  }
  return s;
}

metric any_metric(int depth);

template_value any_template(int depth) {
  template_value t;
  if (coin())
    t.version = any_string();
  if (coin())
    t.template_ref = any_string();
  if (coin())
    t.is_definition = *rc::gen::arbitrary<bool>();
  size_t members = small_count(3);
  for (size_t i = 0; i < members; ++i)
    t.metrics.push_back(any_metric(depth + 1));
  size_t parameters = small_count(3);
  for (size_t i = 0; i < parameters; ++i) {
    template_parameter p;
    if (coin(4) == false)
      p.name = any_string();
    p.type = any_basic_type();
    p.value = coin(5) ? scalar{} : any_basic<scalar>(p.type);
    t.parameters.push_back(std::move(p));
  }
  return t;
}

template <class Element, class Generated>
std::vector<Element> any_vector() {
  auto generated = *rc::gen::container<std::vector<Generated>>(small_count(20),
                                                               rc::gen::arbitrary<Generated>());
  return std::vector<Element>(generated.begin(), generated.end());
}

value any_value(datatype t, int depth) {
  if (is_basic(t) && t != datatype::unknown)
    return any_basic<value>(t);
  switch (t) {
    case datatype::uuid:
      return any_string();
    case datatype::bytes:
    case datatype::file:
      return any_vector<uint8_t, uint8_t>();
    case datatype::dataset:
      return any_dataset();
    case datatype::template_type:
      return any_template(depth);
    case datatype::int8_array:
      return any_vector<int64_t, int8_t>();
    case datatype::int16_array:
      return any_vector<int64_t, int16_t>();
    case datatype::int32_array:
      return any_vector<int64_t, int32_t>();
    case datatype::int64_array:
      return any_vector<int64_t, int64_t>();
    case datatype::uint8_array:
      return any_vector<uint64_t, uint8_t>();
    case datatype::uint16_array:
      return any_vector<uint64_t, uint16_t>();
    case datatype::uint32_array:
      return any_vector<uint64_t, uint32_t>();
    case datatype::uint64_array:
    case datatype::datetime_array:
      return any_vector<uint64_t, uint64_t>();
    case datatype::float_array: {
      std::vector<float> v(small_count(10));
      for (auto& f : v)
        f = any_float();
      return v;
    }
    case datatype::double_array: {
      std::vector<double> v(small_count(10));
      for (auto& d : v)
        d = any_double();
      return v;
    }
    case datatype::boolean_array:
      return any_vector<bool, bool>();
    case datatype::string_array: {
      std::vector<std::string> v(small_count(5));
      for (auto& s : v) {
        s = any_string();
        s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
      }
      return v;
    }
    default: { // Unknown: a raw wire alternative
      int kind = *rc::gen::inRange(0, depth < max_nesting ? 4 : 3);
      if (kind == 0)
        return any_vector<uint8_t, uint8_t>();
      if (kind == 1)
        return any_dataset();
      if (kind == 3)
        return any_template(depth);
      return any_basic<value>(datatype::unknown);
    }
  }
}

metric any_metric(int depth) {
  metric m;
  if (coin(4) == false)
    m.name = any_string();
  if (coin())
    m.alias = *rc::gen::arbitrary<uint64_t>();
  if (coin(4) == false)
    m.timestamp = *rc::gen::arbitrary<uint64_t>();
  do {
    m.type = static_cast<datatype>(*rc::gen::inRange<uint32_t>(0, max_datatype_value + 1));
  } while (m.type == datatype::property_set || m.type == datatype::property_set_list
           || (m.type == datatype::template_type && depth >= max_nesting));
  m.datatype_on_wire = coin(4) == false;
  m.is_historical = coin(4);
  m.is_transient = coin(4);
  if (coin(8))
    m.is_null = true;
  else if (!coin(10))
    m.val = any_value(m.type, depth);
  if (coin(4))
    m.properties = any_property_set(1);
  if (coin(4)) {
    m.meta.emplace();
    if (coin())
      m.meta->is_multi_part = *rc::gen::arbitrary<bool>();
    if (coin())
      m.meta->content_type = any_string();
    if (coin())
      m.meta->size = *rc::gen::arbitrary<uint64_t>();
    if (coin())
      m.meta->seq = *rc::gen::arbitrary<uint64_t>();
    if (coin())
      m.meta->file_name = any_string();
    if (coin())
      m.meta->md5 = any_string();
  }
  return m;
}

payload any_payload() {
  payload p;
  if (coin(4) == false)
    p.timestamp = *rc::gen::arbitrary<uint64_t>();
  if (coin(4) == false)
    p.seq = *rc::gen::inRange<uint64_t>(0, 256);
  if (coin(4))
    p.uuid = any_string();
  if (coin(4))
    p.body = any_vector<uint8_t, uint8_t>();
  size_t n = small_count(8);
  for (size_t i = 0; i < n; ++i)
    p.metrics.push_back(any_metric(0));
  return p;
}

// Types what the encoder sent without datatype, as a host does from the birth certificate.
void resolve_like(std::vector<metric>& decoded, const std::vector<metric>& sent) {
  RC_ASSERT(decoded.size() == sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    if (!sent[i].datatype_on_wire) {
      auto r = resolve_datatype(decoded[i], sent[i].type);
      if (!r)
        RC_FAIL(to_string(r.error()));
    }
    auto* got = std::get_if<template_value>(&decoded[i].val);
    auto* want = std::get_if<template_value>(&sent[i].val);
    if (got != nullptr && want != nullptr)
      resolve_like(got->metrics, want->metrics);
  }
}

} // namespace

CAF_TEST(random_payloads_of_every_datatype_round_trip) {
  bool ok = rc::check("encode then decode gives the payload back", [] {
    auto p = any_payload();
    encode_options options;
    options.uint32_in_long_value = *rc::gen::arbitrary<bool>();
    std::string bytes;
    auto enc = encode_payload(p, bytes, options);
    if (!enc)
      RC_FAIL(to_string(enc.error()));
    auto dec = decode_payload(bytes);
    if (!dec)
      RC_FAIL(to_string(dec.error()));
    resolve_like(dec->metrics, p.metrics);
    RC_ASSERT(*dec == p);
  });
  CAF_CHECK(ok);
}

CAF_TEST(random_bytes_decode_to_errors_or_to_payloads_that_round_trip) {
  bool ok = rc::check("decode(encode(decode(x))) == decode(x)", [](const std::string& bytes) {
    auto first = decode_payload(bytes);
    if (!first)
      return;
    std::string again;
    auto enc = encode_payload(*first, again);
    if (!enc)
      RC_FAIL(to_string(enc.error()));
    auto second = decode_payload(again);
    if (!second)
      RC_FAIL(to_string(second.error()));
    RC_ASSERT(*second == *first);
  });
  CAF_CHECK(ok);
}
