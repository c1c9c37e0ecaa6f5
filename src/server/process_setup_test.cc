// HangupHandlers: what SIGHUP runs, and what it logs (the server writes the lines it returns).
#include "server/process_setup.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mnemo::server {
namespace {

TEST(HangupHandlers, WithoutHandlersSaysThereIsNothingToReload) {
  HangupHandlers handlers;
  EXPECT_TRUE(handlers.empty());
  const std::vector<HangupHandlers::Outcome> outcomes = handlers.RunAll();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].level, kLogWarnings);
  EXPECT_EQ(outcomes[0].line, "SIGHUP received: nothing to reload");
}

TEST(HangupHandlers, RunsEveryReloadInOrderOnEverySignal) {
  HangupHandlers handlers;
  std::vector<std::string> ran;
  handlers.Add("first", [&]() -> Result<void> {
    ran.push_back("first");
    return {};
  });
  handlers.Add("second", [&]() -> Result<void> {
    ran.push_back("second");
    return {};
  });
  EXPECT_FALSE(handlers.empty());
  const std::vector<HangupHandlers::Outcome> outcomes = handlers.RunAll();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].line, "SIGHUP received: reloaded first");
  EXPECT_EQ(outcomes[1].line, "SIGHUP received: reloaded second");
  EXPECT_EQ(outcomes[1].level, kLogWarnings);
  handlers.RunAll();
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "second", "first", "second"}));
}

TEST(HangupHandlers, AFailureIsLoggedAlwaysAndDoesNotStopTheOthers) {
  HangupHandlers handlers;
  bool second_ran = false;
  handlers.Add("password file /a", []() -> Result<void> { return Error{"/a: no such file"}; });
  handlers.Add("other", [&]() -> Result<void> {
    second_ran = true;
    return {};
  });
  const std::vector<HangupHandlers::Outcome> outcomes = handlers.RunAll();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].level, 0);
  EXPECT_EQ(outcomes[0].line,
            "SIGHUP received: /a: no such file; keeping the old password file /a");
  EXPECT_TRUE(second_ran);
}

}  // namespace
}  // namespace mnemo::server
