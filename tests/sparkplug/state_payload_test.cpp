#define CAF_SUITE state_payload
#include <caf/test/unit_test.hpp>

#include "sparkplug/payload_codec.hpp"

using namespace floe::sparkplug;

namespace {

std::string state_error(std::string_view json) {
  auto r = decode_state(json);
  if (r)
    CAF_FAIL("decoded " << json);
  CAF_CHECK(r.error().code == errc::state_malformed);
  return r.error().detail;
}

} // namespace

CAF_TEST(spec_birth_and_death_examples_decode) {
  auto birth = decode_state(R"({"online":true,"timestamp":1668114759262})");
  CAF_REQUIRE(birth.has_value());
  CAF_CHECK(birth->online);
  CAF_CHECK_EQUAL(birth->timestamp, 1668114759262u);
  auto death = decode_state(" { \"timestamp\" : 1668114759262 , \"online\" : false } ");
  CAF_REQUIRE(death.has_value());
  CAF_CHECK(!death->online);
  CAF_CHECK_EQUAL(death->timestamp, 1668114759262u);
}

CAF_TEST(encoding_produces_the_spec_text) {
  CAF_CHECK_EQUAL(encode_state({true, 1668114759262u}),
                  R"({"online":true,"timestamp":1668114759262})");
  CAF_CHECK_EQUAL(encode_state({false, 0}), R"({"online":false,"timestamp":0})");
  state_payload s{true, UINT64_MAX};
  auto back = decode_state(encode_state(s));
  CAF_REQUIRE(back.has_value());
  CAF_CHECK(*back == s);
}

CAF_TEST(timestamp_must_be_a_non_negative_integer) {
  CAF_CHECK_EQUAL(state_error(R"({"online":true,"timestamp":1.6e12})"),
                  "\"timestamp\" is not an integer");
  state_error(R"({"online":true,"timestamp":1668114759262.0})");
  state_error(R"({"online":true,"timestamp":"1668114759262"})");
  state_error(R"({"online":true,"timestamp":null})");
  state_error(R"({"online":true,"timestamp":18446744073709551616})"); // 2^64
  CAF_CHECK_EQUAL(state_error(R"({"online":true,"timestamp":-1})"), "\"timestamp\" is negative");
  CAF_CHECK_EQUAL(state_error(R"({"online":true})"), "\"timestamp\" is missing");
}

CAF_TEST(online_must_be_a_boolean) {
  CAF_CHECK_EQUAL(state_error(R"({"online":"true","timestamp":1})"),
                  "\"online\" is not a boolean");
  state_error(R"({"online":1,"timestamp":1})");
  CAF_CHECK_EQUAL(state_error(R"({"timestamp":1})"), "\"online\" is missing");
}

CAF_TEST(non_objects_and_invalid_json_are_rejected) {
  CAF_CHECK_EQUAL(state_error("ONLINE"), "not valid JSON"); // Sparkplug 2.2 payload
  state_error("OFFLINE");
  state_error("");
  CAF_CHECK_EQUAL(state_error(R"([true,1])"), "not a JSON object");
  state_error(R"({"online":true,"timestamp":1)");
  state_error("{\"online\":true,\"timestamp\":1,\"x\":\"\xFF\"}"); // invalid UTF-8
  state_error(std::string(5000, '['));
}

CAF_TEST(additional_keys_are_ignored) {
  auto r = decode_state(R"({"online":true,"timestamp":5,"bdSeq":3})");
  CAF_REQUIRE(r.has_value());
  CAF_CHECK_EQUAL(r->timestamp, 5u);
}
