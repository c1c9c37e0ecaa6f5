// Unit tests of the compat runner's pure parts: the script format, payload notations and masks.
#include "tools/capable/script.h"

#include <gtest/gtest.h>

#include "tools/capable/payload.h"
#include "tools/capable/transcript.h"

namespace mnemo::compat {
namespace {

std::string Bytes(const std::vector<Segment>& segments) {
  std::string out;
  for (const Segment& s : segments) out += s.variable.empty() ? s.bytes : "${" + s.variable + "}";
  return out;
}

TEST(ScriptTest, ParsesStepsModifiersAndHeader) {
  Result<Script> script = ParseScript(
      "# comment\nfresh\nmask-all cas\n"
      "send \"get a\\r\\n\" \"b\"\nfill 3 \"xy\"\nsplit every 2\nmask ttl\nsync\n"
      "hex 80 0a_00\ncapture c regex VALUE (\\d+)\nidle 50\n"
      "send \"quit\\r\\n\"\neof\n",
      "g/s");
  ASSERT_TRUE(script.ok()) << script.error().message;
  EXPECT_TRUE(script->fresh);
  EXPECT_FALSE(script->binary);
  ASSERT_EQ(script->steps.size(), 3u);
  const Step& first = script->steps[0];
  EXPECT_EQ(Bytes(first.payload), "get a\r\nbxyxyxy");
  EXPECT_EQ(first.split, Split::kEvery);
  EXPECT_EQ(first.split_args, std::vector<std::size_t>{2});
  EXPECT_EQ(first.masks, (std::vector<Mask>{Mask::kTtl, Mask::kCas}));
  EXPECT_EQ(first.line, 8);
  EXPECT_EQ(Bytes(script->steps[1].payload), std::string("\x80\x0a\x00", 3));
  EXPECT_EQ(script->steps[1].collect, Collect::kIdle);
  EXPECT_EQ(script->steps[1].idle_ms, 50);
  ASSERT_EQ(script->steps[1].captures.size(), 1u);
  EXPECT_EQ(script->steps[1].captures[0].regex, "VALUE (\\d+)");
  EXPECT_EQ(script->steps[2].collect, Collect::kEof);
}

TEST(ScriptTest, RejectsMalformedScripts) {
  EXPECT_FALSE(ParseScript("send \"x\"\n", "s").ok());                         // no collect line
  EXPECT_FALSE(ParseScript("send \"x\"\neof\nsend \"y\"\nsync\n", "s").ok());  // eof not last
  EXPECT_FALSE(ParseScript("send \"unterminated\nsync\n", "s").ok());
  EXPECT_FALSE(ParseScript("mask nonsense\nsend \"x\"\nsync\n", "s").ok());
  EXPECT_FALSE(ParseScript("frobnicate\n", "s").ok());
  EXPECT_FALSE(ParseScript("", "s").ok());
  Result<Script> bad = ParseScript("send \"a\"\nsync\nsend \"\\q\"\nsync\n", "g/n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("g/n:3:"), std::string::npos) << bad.error().message;
}

TEST(ScriptTest, BinaryDetectedFromFirstByte) {
  Result<Script> script = ParseScript("packet op=0x0a\nsync\n", "b");
  ASSERT_TRUE(script.ok());
  EXPECT_TRUE(script->binary);
}

TEST(PayloadTest, QuotedStringsEscapesAndVariables) {
  Result<std::vector<Segment>> s = DecodeQuoted(R"("a\r\n\t\0\\\"\$\x41${v}z")");
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ((*s)[0].bytes, std::string("a\r\n\t\0\\\"$A", 9));
  EXPECT_EQ((*s)[1].variable, "v");
  EXPECT_EQ((*s)[2].bytes, "z");
  EXPECT_FALSE(DecodeQuoted(R"("\x4")").ok());
  EXPECT_FALSE(DecodeQuoted("noquotes").ok());
}

TEST(PayloadTest, PacketComputesLengthsUnlessOverridden) {
  Result<std::vector<Segment>> p = BuildPacket({"op=0x01", "key=\"k\"", "extras=0000000a_00000000",
                                                "value=\"vv\"", "opaque=0x01020304", "cas=5"});
  ASSERT_TRUE(p.ok()) << p.error().message;
  std::string expected(
      "\x80\x01\x00\x01\x08\x00\x00\x00\x00\x00\x00\x0b\x01\x02\x03\x04"
      "\x00\x00\x00\x00\x00\x00\x00\x05"
      "\x00\x00\x00\x0a\x00\x00\x00\x00kvv",
      35);
  EXPECT_EQ(Bytes(*p), expected);
  Result<std::vector<Segment>> q = BuildPacket({"op=0", "key=\"abc\"", "bodylen=1", "cas=${c}"});
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].bytes.substr(8, 4), std::string("\0\0\0\x01", 4));
  EXPECT_EQ((*q)[1].variable, "c");
  EXPECT_EQ((*q)[2].bytes, "abc");
  EXPECT_FALSE(BuildPacket({"key=\"k\""}).ok());  // no op
  EXPECT_FALSE(BuildPacket({"op=1", "colour=red"}).ok());
}

TEST(TranscriptTest, TextMasksTouchHeadersNotData) {
  std::string reply =
      "VALUE k 0 12 99\r\nc5 t30 VALUE\r\nVA 2 c77 t29 l1 f3\r\nc1\r\n"
      "ME k exp=-31 la=4 cas=9 fetch=no cls=1 size=70\r\nVERSION 1.2.3\r\nHD t-1\r\n";
  std::vector<Mask> all = {Mask::kCas, Mask::kTtl, Mask::kMe, Mask::kVersion};
  EXPECT_EQ(ApplyMasks(reply, all, false),
            "VALUE k 0 12 <cas>\r\nc5 t30 VALUE\r\nVA 2 c<cas> t~30 l~0 f3\r\nc1\r\n"
            "ME k exp=~-30 la=* cas=* fetch=no cls=* size=*\r\nVERSION *\r\nHD t-1\r\n");
  EXPECT_EQ(ApplyMasks(reply, {}, false), reply);
}

TEST(TranscriptTest, BinaryCasMaskSparesErrors) {
  std::string ok(24, '\0'), error(24, '\0');
  ok[0] = error[0] = '\x81';
  ok[23] = '\x07';
  error[7] = '\x01';
  error[23] = '\x07';
  std::string masked = ApplyMasks(ok + error, {Mask::kBinCas}, true);
  EXPECT_EQ(masked[23], '\0');
  EXPECT_EQ(masked[47], '\x07');
  EXPECT_NE(Render(ok, true).find("status=0000"), std::string::npos);
}

}  // namespace
}  // namespace mnemo::compat
