#include <gtest/gtest.h>

#include <clocale>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/units.hpp"

namespace sim {
namespace {

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("10ns"), 10);
  EXPECT_EQ(parse_duration("250us"), 250 * kMicrosecond);
  EXPECT_EQ(parse_duration("3ms"), 3 * kMillisecond);
  EXPECT_EQ(parse_duration("1.5s"), 1'500'000'000);
  EXPECT_EQ(parse_duration("2m"), 2 * kMinute);
  EXPECT_EQ(parse_duration("3h"), 3 * kHour);
  EXPECT_EQ(parse_duration("1d"), kDay);
}

TEST(ParseDuration, AcceptsZero) {
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_EQ(parse_duration("0s"), 0);
  EXPECT_EQ(parse_duration("0.0ms"), 0);
}

TEST(ParseDuration, FractionsRoundToNearestNanosecond) {
  EXPECT_EQ(parse_duration("0.4ns"), 0);
  EXPECT_EQ(parse_duration("0.5ns"), 1);  // half away from zero, as to_time does
  EXPECT_EQ(parse_duration("2.5ns"), 3);
  EXPECT_EQ(parse_duration("0.0015us"), 2);
  EXPECT_EQ(parse_duration(".5s"), 500 * kMillisecond);
  EXPECT_EQ(parse_duration("1.5e3us"), 1500 * kMicrosecond);
  EXPECT_EQ(parse_duration("0.1s"), 100 * kMillisecond);
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* text : {"",      "s",   "ms",   "1",    "1.5", "10",  "00",    "0.0", "1 s",
                           " 1s",   "1s ", "+1s",  "1sec", "1S",  "1Ms", "1h30m", "1x",  "1.2.3s",
                           "0x10s", "1e3", "1,5s", "s1",   "1s1", "1e",  "1es"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseDuration, RejectsNegativeAndNonFinite) {
  for (const char* text :
       {"-1s", "-0s", "-0", "-1e-9ns", "infs", "inf", "nans", "nan(1)s", "infinitys", "1e400s"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseDuration, RejectsOverflowPast2To63Nanoseconds) {
  // 2^63 ns is 106751.99 days.
  EXPECT_EQ(parse_duration("106751d"), 106751 * kDay);
  EXPECT_EQ(parse_duration("106752d"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775808ns"), std::nullopt);
  EXPECT_EQ(parse_duration("1e19ns"), std::nullopt);
  EXPECT_EQ(parse_duration("1e300d"), std::nullopt);
  // Above to_time_unbounded's saturation point (9.2e18) but below 2^63: still exact.
  EXPECT_EQ(parse_duration("9.21e18ns"), Time{9'210'000'000'000'000'000});
}

TEST(TimeArithmetic, SamplesPastTheHorizonClampToIt) {
  EXPECT_EQ(to_time(1e9), kSecond);
  EXPECT_EQ(to_time(static_cast<double>(kHorizon - 1024)), kHorizon - 1024);  // doubles there are 128 ns apart
  for (double ns : {static_cast<double>(kHorizon), 1e19, 1e300, std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(to_time(ns), kHorizon) << ns;
  }
  EXPECT_EQ(to_time(std::nan("")), 0);
  EXPECT_EQ(to_time(-1e300), 0);
  // Analytic figures keep what a Time can hold.
  EXPECT_EQ(to_time_unbounded(100.0 * static_cast<double>(kYear)), 100 * kYear);
  EXPECT_EQ(to_time_unbounded(1e300), kNever - 1);
}

TEST(TimeArithmetic, NowPlusEightBoundedDurationsCannotOverflow) {
  Time t = kHorizon;
  for (int i = 0; i < 8; ++i) t += to_time(1e300);
  EXPECT_EQ(t, 9 * kHorizon);
  EXPECT_LT(9 * kHorizon, kNever);
  EXPECT_EQ(kHorizon, 30 * kYear);
}

TEST(TimeArithmetic, LaterSaturatesAtNever) {
  EXPECT_EQ(later(5, 7), 12);
  EXPECT_EQ(later(kHorizon, kHorizon), 2 * kHorizon);
  EXPECT_EQ(later(kNever - 1, 1), kNever);
  EXPECT_EQ(later(kNever - 1, 2), kNever);
  EXPECT_EQ(later(kNever, kNever), kNever);
}

TEST(ParseDuration, YearsAre365DaysAndAreNeverPrinted) {
  EXPECT_EQ(kYear, 365 * kDay);
  EXPECT_EQ(parse_duration("1y"), 365 * kDay);
  EXPECT_EQ(parse_duration("0.5y"), 365 * kDay / 2);
  EXPECT_EQ(parse_duration("0y"), 0);
  // 2^63 ns is 292.47 years.
  EXPECT_EQ(parse_duration("292y"), 292 * kYear);
  EXPECT_EQ(parse_duration("293y"), std::nullopt);
  for (const char* text : {"1Y", "1yr", "1year", "-1y", "y"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << '"' << text << '"';
  }
  // Output stays in exact days.
  EXPECT_EQ(format_duration(kYear), "365d");
  EXPECT_EQ(format_duration(2 * kYear), "730d");
}

TEST(ParseDuration, IgnoresTheCLocale) {
  // strtod-based parsing would read "1.5" as 1 under a comma-decimal locale.
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr) {
    GTEST_SKIP() << "de_DE.UTF-8 locale not installed";
  }
  const auto parsed = parse_duration("1.5s");
  const auto comma = parse_number("1,5");
  std::setlocale(LC_ALL, "C");
  EXPECT_EQ(parsed, 1'500'000'000);
  EXPECT_EQ(comma, std::nullopt);
}

TEST(FormatDuration, PicksTheLargestUnitKeepingTheValueAtLeastOne) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(1), "1ns");
  EXPECT_EQ(format_duration(999), "999ns");
  EXPECT_EQ(format_duration(1000), "1us");
  EXPECT_EQ(format_duration(350 * kMicrosecond), "350us");
  EXPECT_EQ(format_duration(100 * kMillisecond), "100ms");
  EXPECT_EQ(format_duration(1500 * kMillisecond), "1.5s");
  EXPECT_EQ(format_duration(90 * kSecond), "1.5m");
  EXPECT_EQ(format_duration(2 * kHour), "2h");
  EXPECT_EQ(format_duration(36 * kHour), "1.5d");
  EXPECT_EQ(format_duration(1000 * kDay), "1000d");
}

TEST(FormatDuration, RoundsToFourSignificantDigits) {
  EXPECT_EQ(format_duration(1'234'567), "1.235ms");
  EXPECT_EQ(format_duration(12'344'000), "12.34ms");
  EXPECT_EQ(format_duration(123'456'789), "123.5ms");
  EXPECT_EQ(format_duration(1'000'400), "1ms");  // 1.0004 -> 1.000 -> no trailing zeros
  // Rounding up crosses into the next unit.
  EXPECT_EQ(format_duration(999'999'999), "1s");
  EXPECT_EQ(format_duration(59'999'999'999), "1m");
  EXPECT_EQ(format_duration(999'960), "1ms");
}

TEST(FormatDuration, NegativeValuesAndExtremes) {
  EXPECT_EQ(format_duration(-1500 * kMillisecond), "-1.5s");
  EXPECT_EQ(format_duration(-1), "-1ns");
  EXPECT_EQ(format_duration(kNever), "106752d");
  EXPECT_EQ(format_duration(std::numeric_limits<Time>::min()), "-106752d");
}

TEST(FormatDuration, ParsesBackWithinFourDigitRounding) {
  RandomStream rng(11, 0, "format-duration");
  for (int i = 0; i < 20000; ++i) {
    // Log-uniform over 1 ns .. 2^60 ns, so every unit is exercised.
    const Time t = static_cast<Time>(std::exp2(60.0 * rng.uniform01()));
    const std::string text = format_duration(t);
    const auto parsed = parse_duration(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    // Four significant digits are off by at most 5e-4 of the leading digit's
    // unit: 5e-4 relative, or 5e-4 / 0.9995 when 0.9995 rounds up to 1 of the
    // next unit. Plus half a nanosecond from rounding the parse.
    EXPECT_LE(std::abs(static_cast<double>(*parsed - t)), 5.01e-4 * static_cast<double>(t) + 0.5)
        << t << " -> " << text;
  }
}

TEST(ParseNumber, AcceptsPlainDecimals) {
  EXPECT_EQ(parse_number("1.5"), 1.5);
  EXPECT_EQ(parse_number("0"), 0.0);
  EXPECT_EQ(parse_number("1e3"), 1000.0);
  EXPECT_EQ(parse_number(".25"), 0.25);
  EXPECT_EQ(parse_number("42"), 42.0);
}

TEST(ParseNumber, RejectsJunkNegativeAndNonFinite) {
  for (const char* text : {"", "-1", "-0", "1.5x", " 1", "1 ", "+1", "1,5", "inf", "nan", "0x10",
                           "1e400", "e3", "."}) {
    EXPECT_EQ(parse_number(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(SplitNumber, SeparatesNumberAndSuffix) {
  const auto split = split_number("12.5ms");
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->value, 12.5);
  EXPECT_EQ(split->suffix, "ms");

  const auto bare = split_number("7");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->value, 7.0);
  EXPECT_EQ(bare->suffix, "");

  EXPECT_FALSE(split_number("ms").has_value());
  EXPECT_FALSE(split_number("").has_value());
  EXPECT_FALSE(split_number("-1ms").has_value());
  EXPECT_FALSE(split_number("infms").has_value());
}

TEST(ParseSize, DecimalAndBinaryUnits) {
  EXPECT_EQ(parse_size("512"), 512.0);
  EXPECT_EQ(parse_size("512B"), 512.0);
  EXPECT_EQ(parse_size("0"), 0.0);
  EXPECT_EQ(parse_size("1KB"), 1e3);
  EXPECT_EQ(parse_size("1KiB"), 1024.0);
  EXPECT_EQ(parse_size("1.5KiB"), 1536.0);
  EXPECT_EQ(parse_size("2MB"), 2e6);
  EXPECT_EQ(parse_size("1MiB"), 1048576.0);
  EXPECT_EQ(parse_size("1GB"), 1e9);
  EXPECT_EQ(parse_size("1GiB"), 1073741824.0);
  EXPECT_EQ(parse_size("1TB"), 1e12);
  EXPECT_EQ(parse_size("1TiB"), 1099511627776.0);
}

TEST(ParseSize, RejectsJunkNegativeAndOverflow) {
  for (const char* text : {"", "B", "KB", "-1", "-1B", "1kb", "1b", "1 KB", "1KB ", "1KiBs", "1Kib",
                           "1PB", "inf", "infB", "nanB", "1e400B", "1e300TB"}) {
    EXPECT_EQ(parse_size(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseBandwidth, BitRatesBecomeBytesPerSecond) {
  EXPECT_EQ(parse_bandwidth("8bps"), 1.0);
  EXPECT_EQ(parse_bandwidth("1Kbps"), 125.0);
  EXPECT_EQ(parse_bandwidth("100Mbps"), 1.25e7);
  EXPECT_EQ(parse_bandwidth("1Gbps"), 1.25e8);
  EXPECT_EQ(parse_bandwidth("1Tbps"), 1.25e11);
  EXPECT_EQ(parse_bandwidth("0Gbps"), 0.0);
}

TEST(ParseBandwidth, ByteRates) {
  EXPECT_EQ(parse_bandwidth("1B/s"), 1.0);
  EXPECT_EQ(parse_bandwidth("1KB/s"), 1e3);
  EXPECT_EQ(parse_bandwidth("1KiB/s"), 1024.0);
  EXPECT_EQ(parse_bandwidth("200MB/s"), 2e8);
  EXPECT_EQ(parse_bandwidth("1MiB/s"), 1048576.0);
  EXPECT_EQ(parse_bandwidth("1GB/s"), 1e9);
  EXPECT_EQ(parse_bandwidth("2GiB/s"), 2.0 * 1073741824.0);
}

TEST(ParseBandwidth, RejectsJunkNegativeAndBareNumbers) {
  for (const char* text : {"", "100", "100/s", "1Gb/s", "1gbps", "1GBps", "-1Gbps", "1 Gbps",
                           "1Gbps/s", "1MB/", "1MB/h", "infGbps", "nanB/s", "Gbps"}) {
    EXPECT_EQ(parse_bandwidth(text), std::nullopt) << '"' << text << '"';
  }
}

TEST(ParseRate, PerSecondMinuteHour) {
  EXPECT_EQ(parse_rate("600/s"), 600.0);
  EXPECT_DOUBLE_EQ(*parse_rate("10/m"), 10.0 / 60.0);
  EXPECT_DOUBLE_EQ(*parse_rate("36000/h"), 10.0);
  EXPECT_EQ(parse_rate("0/s"), 0.0);
  EXPECT_EQ(parse_rate("0.5/s"), 0.5);
}

TEST(ParseRate, RejectsJunkNegativeAndBareNumbers) {
  for (const char* text : {"", "600", "/s", "600/", "600/sec", "600 /s", "600/ s", "-1/s", "inf/s",
                           "nan/s", "600s", "600/S"}) {
    EXPECT_EQ(parse_rate(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace sim
