#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "loader/distribution_text.hpp"

namespace {

using loader::DistributionTextError;
using loader::parse_distribution;
using sim::Distribution;
using ::testing::HasSubstr;

constexpr double kMs = 1e6;

class DistributionTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tiersim_dist_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  Distribution parse(const std::string& text) { return parse_distribution(text, dir_); }

  std::string error_of(const std::string& text) {
    try {
      parse(text);
    } catch (const DistributionTextError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no error for " << text;
    return {};
  }

  std::filesystem::path dir_;
};

TEST_F(DistributionTextTest, Constant) {
  const auto d = parse("8ms");
  EXPECT_EQ(d.kind(), Distribution::Kind::kConstant);
  EXPECT_DOUBLE_EQ(d.mean(), 8 * kMs);
  EXPECT_DOUBLE_EQ(parse("0").mean(), 0.0);
  EXPECT_DOUBLE_EQ(parse("  250us ").mean(), 250e3);
}

TEST_F(DistributionTextTest, EachForm) {
  EXPECT_EQ(parse("exp(8ms)").kind(), Distribution::Kind::kExponential);
  EXPECT_DOUBLE_EQ(parse("exp(8ms)").mean(), 8 * kMs);

  EXPECT_EQ(parse("uniform(1ms, 3ms)").kind(), Distribution::Kind::kUniform);
  EXPECT_DOUBLE_EQ(parse("uniform(1ms, 3ms)").mean(), 2 * kMs);

  EXPECT_EQ(parse("normal(8ms, sd=2ms)").kind(), Distribution::Kind::kNormal);
  EXPECT_NEAR(parse("normal(8ms, sd=2ms)").mean(), 8 * kMs, 0.01 * kMs);  // truncation at 4 sd is negligible

  const auto lognormal = parse("lognormal(8ms, cv=1.5)");
  EXPECT_EQ(lognormal.kind(), Distribution::Kind::kLognormal);
  EXPECT_DOUBLE_EQ(lognormal.mean(), 8 * kMs);
  EXPECT_DOUBLE_EQ(lognormal.cv(), 1.5);

  const auto gamma = parse("gamma(6ms, cv=0.5)");
  EXPECT_EQ(gamma.kind(), Distribution::Kind::kGamma);
  EXPECT_DOUBLE_EQ(gamma.mean(), 6 * kMs);
  EXPECT_DOUBLE_EQ(gamma.cv(), 0.5);

  const auto erlang = parse("erlang(4, 8ms)");
  EXPECT_EQ(erlang.kind(), Distribution::Kind::kErlang);
  EXPECT_DOUBLE_EQ(erlang.mean(), 8 * kMs);
  EXPECT_DOUBLE_EQ(erlang.cv(), 0.5);

  const auto hyper = parse("hyperexp(8ms, cv=2)");
  EXPECT_EQ(hyper.kind(), Distribution::Kind::kHyperexponential);
  EXPECT_DOUBLE_EQ(hyper.mean(), 8 * kMs);
  EXPECT_DOUBLE_EQ(hyper.cv(), 2.0);

  const auto pareto = parse("pareto(1.5, 1ms)");
  EXPECT_EQ(pareto.kind(), Distribution::Kind::kPareto);
  EXPECT_DOUBLE_EQ(pareto.mean(), 3 * kMs);  // alpha * xm / (alpha - 1)
  EXPECT_EQ(parse("pareto(1.5, 1ms, max=10s)").kind(), Distribution::Kind::kPareto);

  const auto weibull = parse("weibull(1, 8ms)");  // shape 1: exponential with mean = scale
  EXPECT_EQ(weibull.kind(), Distribution::Kind::kWeibull);
  EXPECT_NEAR(weibull.mean(), 8 * kMs, 1.0);

  const auto empirical = parse("empirical(1ms, 2ms, 6ms)");
  EXPECT_EQ(empirical.kind(), Distribution::Kind::kEmpirical);
  EXPECT_DOUBLE_EQ(empirical.mean(), 3 * kMs);
}

TEST_F(DistributionTextTest, WhitespaceInsideParentheses) {
  const auto d = parse("  gamma(  6ms ,cv = 0.5 ) ");
  EXPECT_DOUBLE_EQ(d.mean(), 6 * kMs);
  EXPECT_DOUBLE_EQ(d.cv(), 0.5);
  EXPECT_DOUBLE_EQ(parse("exp( 2s )").mean(), 2e9);
}

TEST_F(DistributionTextTest, EmpiricalFileWithUnits) {
  write("lat.csv", "1ms\n2ms\n\n6ms\n");
  EXPECT_DOUBLE_EQ(parse("empirical(lat.csv)").mean(), 3 * kMs);
  write("2024.csv", "4ms\n");
  EXPECT_DOUBLE_EQ(parse("empirical(./2024.csv)").mean(), 4 * kMs);
  EXPECT_DOUBLE_EQ(parse("empirical(.5ms)").mean(), 0.5 * kMs);
}

TEST_F(DistributionTextTest, EmpiricalFileWithHeaderColumnsAndUnit) {
  write("lat.csv", "latency_ms,host\r\n1,a\r\n2.5,b\r\n5.5,c\r\n");
  const auto d = parse("empirical(lat.csv, unit=ms)");
  EXPECT_EQ(d.kind(), Distribution::Kind::kEmpirical);
  EXPECT_DOUBLE_EQ(d.mean(), 3 * kMs);
}

TEST_F(DistributionTextTest, EmpiricalFileByAbsolutePath) {
  write("abs.csv", "4us\n");
  EXPECT_DOUBLE_EQ(parse_distribution("empirical(" + (dir_ / "abs.csv").string() + ")", "/nonexistent").mean(), 4e3);
}

TEST_F(DistributionTextTest, EmpiricalFileProblems) {
  EXPECT_THAT(error_of("empirical(missing.csv)"), HasSubstr("cannot read empirical data file"));
  write("empty.csv", "\n\n");
  EXPECT_THAT(error_of("empirical(empty.csv)"), HasSubstr("no values"));
  write("header_only.csv", "latency\n");
  EXPECT_THAT(error_of("empirical(header_only.csv)"), HasSubstr("no values"));
  write("bad.csv", "1ms\n2ms\nabc\n");
  EXPECT_THAT(error_of("empirical(bad.csv)"), HasSubstr("bad.csv:3: expected a duration with a unit"));
  write("bare.csv", "1\n2\n");
  EXPECT_THAT(error_of("empirical(bare.csv)"), HasSubstr("bare.csv:1: expected a duration with a unit"));
  write("units.csv", "1ms\n");
  EXPECT_THAT(error_of("empirical(units.csv, unit=ms)"), HasSubstr("units.csv:1: expected a non-negative number"));
  EXPECT_THAT(error_of("empirical(units.csv, unit=parsecs)"), HasSubstr("unit must be one of"));
  EXPECT_THAT(error_of("empirical(units.csv, 2ms)"), HasSubstr("expected empirical("));
}

TEST_F(DistributionTextTest, BadForms) {
  EXPECT_THAT(error_of("exp(-1ms)"), HasSubstr("mean: must not be negative, found \"-1ms\""));
  EXPECT_THAT(error_of("lognormal(8ms, cv=-1)"), HasSubstr("cv: expected a non-negative number, found \"-1\""));
  EXPECT_THAT(error_of("exp(8ms"), HasSubstr("missing ')'"));
  EXPECT_THAT(error_of("foo(1)"), HasSubstr("unknown distribution \"foo\"; expected one of exp, uniform"));
  EXPECT_THAT(error_of("expo(8ms)"), HasSubstr("did you mean \"exp\"?"));
  EXPECT_THAT(error_of("5"), HasSubstr("expected a duration with a unit (ns, us, ms, s, m, h, d, y), found \"5\""));
  EXPECT_THAT(error_of("-2ms"), HasSubstr("must not be negative"));
  EXPECT_THAT(error_of("fast"), HasSubstr("expected a duration such as 8ms or a distribution"));
  EXPECT_THAT(error_of(""), HasSubstr("found \"\""));
  EXPECT_THAT(error_of("exp()"), HasSubstr("missing arguments"));
  EXPECT_THAT(error_of("exp(8ms))"), HasSubstr("unexpected parenthesis"));
  EXPECT_THAT(error_of("8ms)"), HasSubstr("unexpected ')'"));
  EXPECT_THAT(error_of("exp(8ms, 2ms)"), HasSubstr("expected exp(<mean>)"));
  EXPECT_THAT(error_of("uniform(1ms)"), HasSubstr("expected uniform(<low>, <high>)"));
  EXPECT_THAT(error_of("normal(8ms, 2ms)"), HasSubstr("expected normal(<mean>, sd=<duration>)"));
  EXPECT_THAT(error_of("gamma(6ms, sd=1ms)"), HasSubstr("expected gamma(<mean>, cv=<number>)"));
  EXPECT_THAT(error_of("gamma(6ms, cv=1, cv=2)"), HasSubstr("cv= given twice"));
  EXPECT_THAT(error_of("uniform(1ms,,2ms)"), HasSubstr("empty argument"));
  EXPECT_THAT(error_of("gamma(cv=1, 6ms)"), HasSubstr("follows a key=value"));
  EXPECT_THAT(error_of("erlang(0, 8ms)"), HasSubstr("phases: expected a positive integer"));
  EXPECT_THAT(error_of("erlang(2.5, 8ms)"), HasSubstr("phases: expected a positive integer"));
  EXPECT_THAT(error_of("exp(8)"), HasSubstr("expected a duration with a unit"));
  EXPECT_THAT(error_of("pareto(1.5, 1ms, max=1ms)"), HasSubstr("max must be above the minimum"));
  EXPECT_THAT(error_of("empirical(1ms, fast)"), HasSubstr("expected empirical(<value>, ...) or empirical(<file>"));
  EXPECT_THAT(error_of("empirical(1ms, 2xs)"), HasSubstr("value: expected a duration with a unit"));
}

TEST_F(DistributionTextTest, ParametersTheFactoriesRejectBecomeTextErrors) {
  // The header promises hyperexp needs cv > 1; the factory's
  // std::invalid_argument must come out as DistributionTextError.
  EXPECT_THAT(error_of("hyperexp(8ms, cv=0.5)"), HasSubstr("invalid \"hyperexp(8ms, cv=0.5)\""));
}

}  // namespace
