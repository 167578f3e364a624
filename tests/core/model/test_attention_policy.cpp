#include <ATen/ATen.h>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "core/analysis/flops.h"
#include "core/model/attention_policy.h"
#include "core/model/policy_term.h"
#include "core/sys/error.h"

using crisp::AttentionPolicySpec;
using crisp::LayerAttention;

namespace {

// Scores with distinct values, a padded batch: row 0 has 6 real tokens, row 1 has 3.
struct Fixture {
  at::Tensor scores, mask;
  Fixture() {
    at::manual_seed(7);
    scores = at::randn({2, 2, 6, 6}, at::kFloat);
    mask = at::ones({2, 6}, at::kLong);
    mask.index_put_({1, at::indexing::Slice(3, at::indexing::None)}, 0);
  }
};

LayerAttention run(const Fixture& f, const std::string& policy, bool training = false) {
  LayerAttention capture;
  crisp::attentionProbabilities(f.scores, f.mask, AttentionPolicySpec::parse(policy), 0, 2,
                                training, &capture);
  return capture;
}

}  // namespace

class TestAttentionPolicy : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesAndPrintsPolicies_data() {
    QTest::addColumn<QString>("text");
    for (const char* t :
         {"dense", "crisp:0.8", "nodiag", "nodiag+crisp:0.8", "ramp:0.7:0.2", "layers:0.5,0.9",
          "topp:0.9", "window:3", "strided:4", "fixed:4", "longformer:2:1", "star",
          "bigbird:2:1:2:7", "logsparse", "crisp:0.6+train-only", "dam:0.001",
          "dam:0.1:structured:per-layer:tau=0.5", "nodiag+dam:0.01:frozen"}) {
      QTest::newRow(t) << QString::fromLatin1(t);
    }
  }
  void parsesAndPrintsPolicies() {
    QFETCH(QString, text);
    const auto spec = AttentionPolicySpec::parse(text.toStdString());
    QCOMPARE(AttentionPolicySpec::parse(spec.toString()).toString(), spec.toString());
    QCOMPARE(AttentionPolicySpec::fromJson(spec.toJson()).toString(), spec.toString());
  }

  void rejectsMalformedPolicies() {
    for (const char* bad : {"", "crisp", "crisp:abc", "crisp:0.8+crisp:0.5", "window:3+star",
                            "sparse:0.5", "window:-1", "dense:1"}) {
      QVERIFY_THROWS_EXCEPTION(crisp::Error, AttentionPolicySpec::parse(bad));
    }
    QVERIFY_THROWS_EXCEPTION(crisp::Error, AttentionPolicySpec::parse("crisp:1.2").validate(2));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, AttentionPolicySpec::parse("layers:0.5").validate(2));
  }

  // Each case once crashed (an empty '+' term), or was accepted and then dropped or clamped.
  void rejectsEmptyTermsExtraFieldsAndOutOfRangeValues_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const std::pair<const char*, const char*> cases[] = {
        {"+", "empty term"},
        {"crisp:0.5+", "empty term"},
        {"+crisp:0.5", "empty term"},
        {"nodiag++crisp:0.5", "empty term"},
        {"crisp:0.5:0.7", "takes at most 1 parameter"},
        {"window:3:4", "takes at most 1 parameter"},
        {"star:2", "takes no parameters"},
        {"dense:1", "takes no parameters"},
        {"ramp:0.9:99", "spread 99 is outside [0, 1)"},
        {"ramp:0.9:0.2", "from 0.7 to 1.1"},
        {"ramp:0.1:0.2", "from -0.1 to 0.3"},
        {"bigbird:3:1:1000000", "random keys 1000000 is outside whole numbers in [0, 1024]"},
        {"window:3.5", "\"3.5\" is not a whole number"},
        {"window:-1", "half-width -1 is outside whole numbers in [0, 1000000]"},
        {"crisp:nan", "\"nan\" is not a number"},
        {"crisp:inf", "\"inf\" is not a number"},
        {"crisp:1", "sparsity 1 is outside [0, 1)"},
        {"topp:0", "mass 0 is outside (0, 1]"},
        {"dense+crisp:0.5", "dense cannot be combined"},
        {"nodiag+nodiag", "more than one diagonal removal"},
        {"window:2+block:4", "more than one fixed pattern"},
        {"dam:0.1:bogus", "unknown option \"bogus\""},
        {"dam:0.1:tau=0", "temperature 0 is outside (0, 1000]"},
        {"crips:0.5", "unknown term \"crips\" (did you mean \"crisp\"?)"},
        {"nodiagonal", "unknown term \"nodiagonal\" (did you mean \"no-diagonal\"?)"},
    };
    for (const auto& [text, message] : cases) {
      QTest::newRow(text) << QString::fromLatin1(text) << QString::fromLatin1(message);
    }
  }
  void rejectsEmptyTermsExtraFieldsAndOutOfRangeValues() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    try {
      AttentionPolicySpec::parse(text.toStdString());
      QFAIL("accepted");
    } catch (const crisp::Error& error) {
      const QString what = QString::fromStdString(error.what());
      QVERIFY2(what.contains(message), qPrintable(what));
      QVERIFY2(what.contains(QLatin1Char('"') + text + QLatin1Char('"')), qPrintable(what));
    }
  }

  // Every registered term parses from its declared defaults, prints canonically, and is listed
  // in the generated help with each parameter's range.
  void everyRegisteredTermRoundTripsAndIsDocumented() {
    const std::string help = crisp::policyTermsHelp();
    const std::string synopsis = crisp::policyTermsSynopsis();
    QVERIFY(crisp::policyTermDefinitions().size() >= 16);
    for (const crisp::PolicyTermDefinition* term : crisp::policyTermDefinitions()) {
      QVERIFY2(help.find(term->syntax()) != std::string::npos, term->name.c_str());
      QVERIFY2(synopsis.find(term->syntax()) != std::string::npos, term->name.c_str());
      QVERIFY(!term->summary.empty());
      std::string text = term->name;
      for (const crisp::TermParameter& p : term->parameters) {
        if (!p.isPositional() || !p.required) continue;
        const double inside = p.kind == crisp::ParameterKind::Count
                                  ? p.minimum
                                  : (p.minimum + std::min(p.maximum, 1.0)) / 2;
        text += ":" + (p.kind == crisp::ParameterKind::Count
                           ? std::to_string(static_cast<long long>(std::ceil(inside)))
                           : crisp::formatPolicyNumber(inside));
        QVERIFY2(help.find(p.rangeText()) != std::string::npos, p.label.c_str());
      }
      const AttentionPolicySpec spec = AttentionPolicySpec::parse(text);
      QCOMPARE(AttentionPolicySpec::parse(spec.toString()).toString(), spec.toString());
      QCOMPARE(spec.isDense(),
               term->role == crisp::TermRole::Dense || term->role == crisp::TermRole::Phase);
      QVERIFY(crisp::findPolicyTerm(term->name) == term);
    }
    QCOMPARE(QString::fromStdString(crisp::findPolicyTerm("bigbird")->syntax()),
             QStringLiteral("bigbird:W[:G[:R[:SEED]]]"));
  }

  // The pattern added to show the registry at work: one file and this test.
  void blockPatternIsBlockDiagonal() {
    const auto block = crisp::structuralMask(AttentionPolicySpec::parse("block:3"), 7, 0);
    QCOMPARE(block.sum().item<int64_t>(), 2 * 9 + 1);  // blocks {0,1,2} {3,4,5} {6}
    QVERIFY(block[0][2].item<bool>() && !block[2][3].item<bool>() && block[6][6].item<bool>());
    // The FLOPs count reads the same declaration: 4 keys per row, then crisp:0.5 keeps 2.
    QCOMPARE(crisp::expectedKeptKeys(AttentionPolicySpec::parse("block:4"), 2, 8),
             std::vector<double>({4.0, 4.0}));
    QCOMPARE(crisp::expectedKeptKeys(AttentionPolicySpec::parse("block:4+crisp:0.5"), 2, 8),
             std::vector<double>({2.0, 2.0}));
    Fixture f;
    const auto a = run(f, "block:3");
    QVERIFY(at::equal(a.keep[0][0],
                      block.index({at::indexing::Slice(0, 6), at::indexing::Slice(0, 6)})));
  }

  void checksAgainstTheModel() {
    QVERIFY_THROWS_EXCEPTION(crisp::Error,
                             AttentionPolicySpec::parse("bigbird:3:1:600").validate(6, 512));
    AttentionPolicySpec::parse("bigbird:3:1:600").validate(6, 1024);
    QVERIFY_THROWS_EXCEPTION(crisp::Error,
                             AttentionPolicySpec::parse("dam:0.1:len=1000").validate(6, 512));
    AttentionPolicySpec dam = AttentionPolicySpec::parse("nodiag+dam:0.1");
    QVERIFY(dam.dam().enabled && !dam.dam().frozen);
    dam.freezeDam();
    QCOMPARE(dam.toString(), std::string("nodiag+dam:0.1:unstructured:shared:frozen"));
  }

  void denseIsPlainMaskedSoftmax() {
    Fixture f;
    const auto a = run(f, "dense");
    QVERIFY(at::equal(a.before, a.after));
    // padding keys get exactly zero
    QCOMPARE(a.after
                 .index({1, at::indexing::Slice(), at::indexing::Slice(),
                         at::indexing::Slice(3, at::indexing::None)})
                 .abs()
                 .max()
                 .item<float>(),
             0.0f);
    QVERIFY(at::allclose(a.after.sum(-1), at::ones({2, 2, 6})));
  }

  void crispKeepsCeilOfRemainingFraction() {
    Fixture f;
    const auto a = run(f, "crisp:0.8");
    // k = max(1, ceil(0.2 n)): n = 6 -> 2 keys; n = 3 (padded row) -> 1 key.
    const at::Tensor kept = a.keep.sum(-1);
    QVERIFY(at::equal(kept[0], at::full({2, 6}, 2, at::kLong)));
    QVERIFY(at::equal(kept[1], at::full({2, 6}, 1, at::kLong)));
    // pruned keys get exactly zero attention; kept ones all of it
    QCOMPARE(a.after.masked_select(a.keep.logical_not()).abs().max().item<float>(), 0.0f);
    QVERIFY(at::allclose(a.after.sum(-1), at::ones({2, 2, 6})));
    // the kept keys are the highest-scoring ones
    const at::Tensor keptMin = f.scores.masked_fill(a.keep.logical_not(), 1e9).amin(-1);
    const at::Tensor allowedScores =
        f.scores.masked_fill(f.mask.to(at::kBool).logical_not().unsqueeze(1).unsqueeze(1), -1e9);
    const at::Tensor droppedMax = allowedScores.masked_fill(a.keep, -1e9).amax(-1);
    QVERIFY((keptMin > droppedMax).all().item<bool>());
  }

  void tiesAreKept() {
    Fixture f;
    f.scores = at::zeros({1, 1, 4, 4});
    f.mask = at::ones({1, 4}, at::kLong);
    const auto a = run(f, "crisp:0.9");
    QVERIFY(a.keep.all().item<bool>());
  }

  void diagonalRemovalNeverEmptiesARow() {
    Fixture f;
    const auto a = run(f, "nodiag");
    for (int64_t i = 0; i < 3; ++i) {
      QCOMPARE(a.after.index({0, at::indexing::Slice(), i, i}).abs().max().item<float>(), 0.0f);
    }
    QVERIFY(!at::isnan(a.after).any().item<bool>());
    // A one-token sequence keeps its only key rather than an empty row.
    Fixture one;
    one.scores = at::randn({1, 1, 1, 1});
    one.mask = at::ones({1, 1}, at::kLong);
    const auto b = run(one, "nodiag+crisp:0.9");
    QCOMPARE(b.after.item<float>(), 1.0f);
  }

  void prunedKeysGetZeroGradient() {
    Fixture f;
    const at::Tensor scores = f.scores.clone().set_requires_grad(true);
    LayerAttention capture;
    const at::Tensor probs = crisp::attentionProbabilities(
        scores, f.mask, AttentionPolicySpec::parse("crisp:0.7"), 0, 2, true, &capture);
    (probs * at::randn_like(probs)).sum().backward();
    const at::Tensor grad = scores.grad();
    QCOMPARE(grad.masked_select(capture.keep.logical_not()).abs().max().item<float>(), 0.0f);
    QVERIFY(grad.masked_select(capture.keep).abs().max().item<float>() > 0.0f);
  }

  void trainOnlyPolicyIsDenseInEvaluation() {
    Fixture f;
    const auto eval = run(f, "crisp:0.8+train-only", /*training=*/false);
    QVERIFY(at::equal(eval.after, eval.before));
    const auto train = run(f, "crisp:0.8+train-only", /*training=*/true);
    QVERIFY(!at::equal(train.after, train.before));
  }

  void topPKeepsSmallestSetWithEnoughMass() {
    Fixture f;
    const auto a = run(f, "topp:0.9");
    const at::Tensor keptMass = a.before.masked_fill(a.keep.logical_not(), 0).sum(-1);
    QVERIFY((keptMass >= 0.9 - 1e-5).all().item<bool>());
    // dropping the smallest kept key would fall below p (the set is minimal)
    const at::Tensor smallestKept = a.before.masked_fill(a.keep.logical_not(), 2.0).amin(-1);
    QVERIFY(((keptMass - smallestKept) < 0.9 + 1e-5).all().item<bool>());
  }

  void sparsitySchedules() {
    const auto ramp = AttentionPolicySpec::parse("ramp:0.7:0.2");
    QCOMPARE(ramp.sparsityForLayer(0, 6), 0.5);
    QVERIFY(qAbs(ramp.sparsityForLayer(5, 6) - 0.9) < 1e-12);
    QVERIFY(qAbs(ramp.sparsityForLayer(2, 6) + ramp.sparsityForLayer(3, 6) - 1.4) < 1e-12);
    const auto layers = AttentionPolicySpec::parse("layers:0.1,0.2,0.3");
    QCOMPARE(layers.sparsityForLayer(2, 3), 0.3);
  }

  void fixedPatterns() {
    const auto window = crisp::structuralMask(AttentionPolicySpec::parse("window:1"), 5, 0);
    QCOMPARE(window.sum().item<int64_t>(), 13);  // tridiagonal 5x5
    const auto star = crisp::structuralMask(AttentionPolicySpec::parse("star"), 5, 0);
    QVERIFY(star[4][0].item<bool>() && star[0][4].item<bool>() && !star[4][2].item<bool>());
    const auto logsparse = crisp::structuralMask(AttentionPolicySpec::parse("logsparse"), 9, 0);
    QVERIFY(logsparse[0][8].item<bool>() && !logsparse[0][7].item<bool>() &&
            logsparse[0][4].item<bool>() && logsparse[3][3].item<bool>());
    const auto fixed = crisp::structuralMask(AttentionPolicySpec::parse("fixed:4"), 8, 0);
    QVERIFY(fixed[1][2].item<bool>() && fixed[5][3].item<bool>() && !fixed[5][2].item<bool>());
    const auto bigbird = AttentionPolicySpec::parse("bigbird:1:1:2:7");
    QVERIFY(
        at::equal(crisp::structuralMask(bigbird, 12, 3), crisp::structuralMask(bigbird, 12, 3)));
    QVERIFY(
        !at::equal(crisp::structuralMask(bigbird, 12, 3), crisp::structuralMask(bigbird, 12, 4)));
    const auto nodiag = crisp::structuralMask(AttentionPolicySpec::parse("window:2+nodiag"), 6, 0);
    QVERIFY(!nodiag.diagonal().any().item<bool>());
  }
};

QTEST_GUILESS_MAIN(TestAttentionPolicy)
#include "test_attention_policy.moc"
