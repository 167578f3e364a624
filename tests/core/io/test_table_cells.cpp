// The cells of exported tables: csvField (RFC 4180) and latexEscape (what prints as typed in a
// LaTeX tabular), shared by the statistics table, crisp inspect and the studio's runs table.
#include <QtTest>

#include "core/io/csv.h"
#include "core/io/latex.h"

class TestTableCells : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void csvQuotesOnlyWhatNeedsIt() {
    QCOMPARE(crisp::csvField("crisp-0.6"), std::string("crisp-0.6"));
    QCOMPARE(crisp::csvField("a,b"), std::string("\"a,b\""));
    QCOMPARE(crisp::csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
    QCOMPARE(crisp::csvField("two\nlines"), std::string("\"two\nlines\""));
  }

  void latexEscapesSpecialCharacters() {
    QCOMPARE(crisp::latexEscape("crisp:0.6"), std::string("crisp:0.6"));
    QCOMPARE(crisp::latexEscape("Best dev acc. (%)"), std::string("Best dev acc. (\\%)"));
    QCOMPARE(crisp::latexEscape("a_b & c#d $e {f}"), std::string("a\\_b \\& c\\#d \\$e \\{f\\}"));
    // A backslash is a character, not \\ (a line break); ~ and ^ are not accents.
    QCOMPARE(crisp::latexEscape("C:\\runs ~x^2"),
             std::string("C:\\textbackslash{}runs \\textasciitilde{}x\\textasciicircum{}2"));
    // A cell starting with [ is not \\'s optional argument.
    QCOMPARE(crisp::latexEscape("[0.1, 0.2]"), std::string("{[}0.1, 0.2{]}"));
    // UTF-8 passes through: the en dash of an empty cell, Greek letters.
    QCOMPARE(crisp::latexEscape("– Σb"), std::string("– Σb"));
  }
};

QTEST_APPLESS_MAIN(TestTableCells)
#include "test_table_cells.moc"
