// Meta request sequences against the map engine. Each expected string is what a freshly started
// memcached 1.6.18 answered to the same bytes (its CAS counter also starts at 1).
#include <gtest/gtest.h>

#include "meta/handler_test_util.h"

namespace mnemo::meta {
namespace {

using test::MetaHandlerTest;

TEST_F(MetaHandlerTest, SetThenGetWithFlags) {
  EXPECT_EQ(Run("ms a 1 c\r\nx\r\nmg a v c t f\r\n"), "HD c1\r\nVA 1 c1 t-1 f0\r\nx\r\n");
}

TEST_F(MetaHandlerTest, VivifyWinsThenOthersSeeZ) {
  EXPECT_EQ(Run("mg newviv N30 v c t\r\nmg newviv N30 v c t\r\nms newviv 3 c\r\nabc\r\n"
                "mg newviv v c t\r\n"),
            "VA 0 c1 t30 W\r\n\r\nVA 0 c1 t30 Z\r\n\r\nHD c2\r\nVA 3 c2 t-1\r\nabc\r\n");
}

TEST_F(MetaHandlerTest, InvalidateMarksStaleAndHandsOutOneToken) {
  EXPECT_EQ(Run("ms inv 1 T100\r\nx\r\nmd inv I T30 k O1\r\nmg inv v c t k\r\n"
                "mg inv v c t k\r\nmd inv I\r\nmg inv c t\r\nmg inv c t\r\nms inv 1 c\r\ny\r\n"
                "mg inv v c\r\n"),
            "HD\r\nHD kinv O1\r\nVA 1 c2 t30 kinv X W\r\nx\r\nVA 1 c2 t30 kinv Z X\r\nx\r\n"
            "HD\r\nHD c3 t30 X W\r\nHD c3 t30 Z X\r\nHD c4\r\nVA 1 c4\r\ny\r\n");
}

TEST_F(MetaHandlerTest, RecacheWinnerBelowThreshold) {
  EXPECT_EQ(Run("ms rc 1 T10\r\nx\r\nmg rc R30 t c v\r\nmg rc R30 t c\r\nmg rc R5 t c\r\n"),
            "HD\r\nVA 1 t10 c1 W\r\nx\r\nHD t10 c1 Z\r\nHD t10 c1 Z\r\n");
}

TEST_F(MetaHandlerTest, ArithmeticCreateIncrementDecrement) {
  EXPECT_EQ(Run("ma cnt N0 J10 v\r\nma cnt MD D20 v\r\nma cnt D5 v c t\r\nma cnt M+ v\r\n"
                "ma cnt M- v\r\nma cnt MI D18446744073709551615 v\r\n"),
            "VA 2\r\n10\r\nVA 1\r\n0\r\nVA 1 c3 t-1\r\n5\r\nVA 1\r\n6\r\nVA 1\r\n5\r\n"
            "VA 1\r\n4\r\n");
}

TEST_F(MetaHandlerTest, ArithmeticMissesNonNumericPaddingAndWrap) {
  EXPECT_EQ(Run("ma nope\r\nma nope q k O1\r\nms txt 2\r\nab\r\nma txt\r\nma txt q\r\n"
                "ms pad 3\r\n100\r\nma pad MD v\r\nmg pad v\r\n"
                "ma nn N0 J18446744073709551615 v\r\nma nn v\r\n"),
            "NF\r\nNF knope O1\r\nHD\r\n"
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
            "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
            "HD\r\nVA 2\r\n99\r\nVA 3\r\n99 \r\nVA 20\r\n18446744073709551615\r\nVA 1\r\n0\r\n");
}

TEST_F(MetaHandlerTest, ArithmeticCompareCas) {
  EXPECT_EQ(Run("ms x 1\r\n1\r\nma x v\r\nms x 1 C1\r\n2\r\nma x C3 v c\r\nma x C2 v c\r\n"
                "ma x C99 q\r\nmn\r\n"),
            "HD\r\nVA 1\r\n2\r\nEX\r\nEX\r\nVA 1 c3\r\n3\r\nEX\r\nMN\r\n");
}

TEST_F(MetaHandlerTest, ArithmeticOnEmptyValueIsNonNumeric) {
  EXPECT_EQ(Run("ms vv 0\r\n\r\nma vv\r\n"),
            "HD\r\nCLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
}

TEST_F(MetaHandlerTest, SetModes) {
  EXPECT_EQ(Run("ms m 1 ME\r\na\r\nms m 1 ME\r\nb\r\nms m 1 MA\r\nc\r\nms m 1 MP\r\nd\r\n"
                "mg m v\r\nms m2 1 MR\r\nx\r\nms m 1 MR\r\ne\r\nms m2 1 MA\r\nx\r\n"
                "ms m2 1 MP\r\nx\r\nms m 1 MS F3 T0\r\nf\r\nmg m v f t\r\n"),
            "HD\r\nNS\r\nHD\r\nHD\r\nVA 3\r\ndac\r\nNS\r\nHD\r\nNS\r\nNS\r\nHD\r\n"
            "VA 1 f3 t-1\r\nf\r\n");
}

TEST_F(MetaHandlerTest, SetAndDeleteCompareCas) {
  EXPECT_EQ(Run("ms cc 1 c\r\nx\r\nms cc 1 C1 c\r\ny\r\nms cc 1 C1 c k\r\nz\r\n"
                "ms none 1 C1 k c\r\nw\r\nms cc 1 C2 MA c\r\n!\r\nms cc 1 C999 MP\r\n!\r\n"
                "mg cc v c\r\nmd cc C1\r\nmd cc C3 q\r\nmd cc\r\n"),
            "HD c1\r\nHD c2\r\nEX c0 kcc\r\nNF knone c0\r\nHD c3\r\nEX\r\nVA 2 c3\r\ny!\r\n"
            "EX\r\nNF\r\n");
}

// C0 is a real comparison for ms (set/replace) and md, so it fails on any live item; ma and
// append/prepend treat it as no comparison; add ignores C altogether.
TEST_F(MetaHandlerTest, CompareCasZero) {
  EXPECT_EQ(
      Run("ms c0x 1\r\na\r\nms c0x 1 C0\r\nb\r\nms c0y 1 C0\r\nb\r\nms c0x 1 MA C0\r\nc\r\n"
          "mg c0x v c\r\nms c0x 1 C0 I\r\nd\r\nms c0x 1 MR C0\r\ne\r\nms c0x 1 ME C0\r\ne\r\n"
          "ma c0z C0 N0\r\nma c0z C0 v\r\nmd c0x C0\r\nmd c0x C0 I\r\nmd nothere C0\r\n"),
      "HD\r\nEX\r\nNF\r\nHD\r\nVA 2 c2\r\nac\r\nEX\r\nEX\r\nNS\r\nHD\r\nVA 1\r\n1\r\nEX\r\nEX\r\n"
      "NF\r\n");
}

// On a freshly created item, T and N apply in flag order: the later one sets the TTL.
TEST_F(MetaHandlerTest, VivifyAndTouchApplyInFlagOrder) {
  EXPECT_EQ(Run("mg ex v N30 T0 t\r\nmg ex2 T60 N30 t\r\nmg ex3 N30 T100 t\r\nma a T90 N0 t\r\n"
                "ma z N0 T90 t\r\nme ex\r\nme ex2\r\nme a\r\nme z\r\n"),
            "VA 0 t-1 W\r\n\r\nHD t30 W\r\nHD t100 W\r\nHD t-1\r\nHD t90\r\n"
            "ME ex exp=-1 la=0 cas=1 fetch=yes cls=1 size=61\r\n"
            "ME ex2 exp=-30 la=0 cas=2 fetch=yes cls=1 size=62\r\n"
            "ME a exp=-1 la=0 cas=4 fetch=no cls=1 size=61\r\n"
            "ME z exp=-90 la=0 cas=5 fetch=no cls=1 size=61\r\n");
}

// R judges the TTL from before a T that follows it, and the one after a T that precedes it.
TEST_F(MetaHandlerTest, RecacheAndTouchApplyInFlagOrder) {
  EXPECT_EQ(Run("ms rt 1 T30\r\nx\r\nmg rt R50 T0 s t\r\nmg rt t\r\nms rt2 1\r\nx\r\n"
                "mg rt2 R50 T30 t\r\nmg rt3 T30 R50 t\r\nms rt3 1\r\nx\r\nmg rt3 T30 R50 t\r\n"
                "mg rt3 R50 T100 t\r\n"),
            "HD\r\nHD s1 t-1 W\r\nHD t-1 Z\r\nHD\r\nHD t30\r\nEN\r\nHD\r\nHD t30 W\r\n"
            "HD t100 Z\r\n");
}

TEST_F(MetaHandlerTest, SetInvalidateWithOlderCasStoresStale) {
  EXPECT_EQ(Run("ms st 1 c\r\nx\r\nms st 1 c\r\ny\r\nms st 1 C1 I c\r\nz\r\nmg st v c\r\n"
                "mg st v c\r\n"),
            "HD c1\r\nHD c2\r\nHD c3\r\nVA 1 c3 X W\r\nz\r\nVA 1 c3 Z X\r\nz\r\n");
}

TEST_F(MetaHandlerTest, QuietSetShowsOnlyFailures) {
  EXPECT_EQ(Run("ms q1 1 q k O5 c\r\nx\r\nms q1 1 q ME k O6 c\r\ny\r\n"
                "ms q1 1 q C999 k O7 c\r\ny\r\nms qnone 1 q C1 k c\r\ny\r\n"
                "ms qnone 1 q MR k c\r\ny\r\nmn\r\n"),
            "NS kq1 O6 c0\r\nEX kq1 O7 c0\r\nNF kqnone c0\r\nNS kqnone c0\r\nMN\r\n");
}

TEST_F(MetaHandlerTest, QuietDeleteHidesOnlyHd) {
  EXPECT_EQ(Run("ms q1 1\r\nx\r\nmd q1 q k O1\r\nmd q1 q k O2\r\nmd q1 k O2\r\nmn\r\n"),
            "HD\r\nNF kq1 O2\r\nNF kq1 O2\r\nMN\r\n");
}

// 1.6.18 answers an autovivified counter even under q.
TEST_F(MetaHandlerTest, QuietArithmeticStillAnswersCreation) {
  EXPECT_EQ(Run("ma qa q k O1\r\nma qa q N0 J5 k O1 v\r\nma qa q k O1 v\r\nma qa q k O1\r\n"
                "ma qa q C1 k\r\nmg qa v\r\nmn\r\n"),
            "NF kqa O1\r\nVA 1 kqa O1\r\n5\r\nEX kqa\r\nVA 1\r\n7\r\nMN\r\n");
}

TEST_F(MetaHandlerTest, QuietGetHidesOnlyMisses) {
  EXPECT_EQ(Run("mg nokey q v\r\nms yes 1\r\nx\r\nmg yes q v k\r\nmg nokey q k O1\r\nmn\r\n"),
            "HD\r\nVA 1 kyes\r\nx\r\nMN\r\n");
}

TEST_F(MetaHandlerTest, MissesReflectKeyAndOpaque) {
  EXPECT_EQ(Run("mg nokey k O1 v c t\r\nmg Zm9vYmFy b k O9 v\r\nmd nokey k O2\r\n"
                "ma nokey O3 k\r\n"),
            "EN knokey O1\r\nEN kZm9vYmFy b O9\r\nNF knokey O2\r\nNF O3 knokey\r\n");
}

TEST_F(MetaHandlerTest, Base64Keys) {
  EXPECT_EQ(Run("ms Zm9vYmFy 2 b k c\r\nhi\r\nmg Zm9vYmFy b k v\r\nmd Zm9vYmFy b k q\r\n"
                "mg Zm9vYmFy b k v\r\n"),
            "HD kZm9vYmFy b c1\r\nVA 2 kZm9vYmFy b\r\nhi\r\nEN kZm9vYmFy b\r\n");
  // The decoded key is the real key.
  EXPECT_EQ(Run("mg foobar v\r\n"), "EN\r\n");
  EXPECT_EQ(Run("ms Zm9vYmFy 1 b\r\nx\r\nmg foobar v\r\n"), "HD\r\nVA 1\r\nx\r\n");
}

TEST_F(MetaHandlerTest, Debug) {
  EXPECT_EQ(Run("ms metest 5 T100\r\nhello\r\nme metest\r\nme nothere\r\n"
                "ms Zm9vYmFy 2 b F1\r\nhi\r\nme Zm9vYmFy b\r\nmg metest v\r\nme metest\r\n"),
            "HD\r\nME metest exp=-100 la=0 cas=1 fetch=no cls=1 size=70\r\nEN\r\nHD\r\n"
            "ME Zm9vYmFy exp=-1 la=0 cas=2 fetch=no cls=1 size=71\r\nVA 5\r\nhello\r\n"
            "ME metest exp=-100 la=0 cas=1 fetch=yes cls=1 size=70\r\n");
}

// The item, not the request, decides how me shows the key: it was stored plain here.
TEST_F(MetaHandlerTest, DebugKeyEncodingFollowsTheItem) {
  EXPECT_EQ(Run("ms metest 1\r\nx\r\nme bWV0ZXN0 b\r\n"),
            "HD\r\nME metest exp=-1 la=0 cas=1 fetch=no cls=1 size=66\r\n");
}

TEST_F(MetaHandlerTest, ErrorsIgnoreQuiet) {
  EXPECT_EQ(Run("mg a q v v\r\nms a 1 q MX\r\nx\r\nma a q Dabc\r\nmn\r\n"),
            "CLIENT_ERROR duplicate flag\r\nCLIENT_ERROR invalid mode for ms M token\r\n"
            "CLIENT_ERROR invalid or duplicate flag\r\nMN\r\n");
}

TEST_F(MetaHandlerTest, BadDataChunk) {
  EXPECT_EQ(Run("ms bc 3 q\r\nabcd\r\nmn\r\n"), "CLIENT_ERROR bad data chunk\r\nERROR\r\nMN\r\n");
}

TEST_F(MetaHandlerTest, TouchThroughGet) {
  EXPECT_EQ(Run("ms tt 1 T100\r\nx\r\nmg tt T30 t\r\nmg tt t\r\nmg tt T0 t\r\nmg tt t v\r\n"),
            "HD\r\nHD t30\r\nHD t30\r\nHD t-1\r\nVA 1 t-1\r\nx\r\n");
}

TEST_F(MetaHandlerTest, NoopAndFatalLine) {
  EXPECT_EQ(Run("mn\r\nmn x\r\n"), "MN\r\nMN\r\n");
  EXPECT_EQ(Run("mg " + std::string(3000, 'a')), "<closed>");
}

}  // namespace
}  // namespace mnemo::meta
