"""grader.instructor.exports.canvas.fill_gradebook on its own: a Canvas gradebook export in,
``canvas-import.csv`` out (fast unit tests; tests/test_lms.py runs the batch end to end)."""
import csv

import pytest

from grader.errors import UsageError
from grader.instructor.exports import canvas

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Quiz 1 (77)",
          "Homework One (123)", "Notes"]


def graded(student_id, score, canvas_user="", status="graded"):
    return {"student_id": student_id, "file": f"{student_id}.py", "status": status,
            "result": {"score": score}, "canvas_user": canvas_user}


def export_file(tmp_path, lines, name="export.csv", header=HEADER):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *lines])
    return path


def fill(tmp_path, lines, rows, column=None, header=HEADER, title="Homework One"):
    path, unmatched = canvas.fill_gradebook(export_file(tmp_path, lines, header=header),
                                            tmp_path, "hw1", title, rows, column)
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle)), unmatched


def test_scores_go_in_by_canvas_id_then_sis_login_and_old_cells_stay_for_errors(tmp_path):
    lines = [["    Points Possible", "", "", "", "", "10", "47", ""],
             ["Alice", "11", "", "alice", "A", "9", "", "x"],
             ["Bob", " 12 ", "", "Bob_2345", "A", "8", "", ""],
             ["Carol", "13", "", "carol", "B", "7", "5", ""],
             ["Dave", "14", "d-sis", "", "B", "6", "3"]]
    rows = [graded("alice_11", 46.5, canvas_user="11"), graded("bob_2345", 22),
            graded("carol", 9, status="error"), graded("eve", 1)]
    table, unmatched = fill(tmp_path, lines, rows)
    assert (tmp_path / "canvas-import.csv").exists()
    assert table == [["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      "Homework One (123)"],
                     ["    Points Possible", "", "", "", "", "47"],
                     ["Alice", "11", "", "alice", "A", "46.5"],
                     ["Bob", " 12 ", "", "Bob_2345", "A", "22"],
                     ["Carol", "13", "", "carol", "B", "5"],
                     ["Dave", "14", "d-sis", "", "B", "3"]]
    assert unmatched == ["graded, not in the Canvas gradebook: eve (eve.py)",
                         "in the Canvas gradebook, no submission: Dave (ID 14)"]


def test_a_sis_user_id_matches_too_and_a_short_line_is_padded(tmp_path):
    table, unmatched = fill(tmp_path, [["Dave", "14", "D-SIS"]], [graded("d-sis", 4)])
    assert table[1] == ["Dave", "14", "D-SIS", "", "", "4"] and unmatched == []


def test_an_export_without_an_id_column_is_refused(tmp_path):
    path = export_file(tmp_path, [], header=["Student", "Homework One"])
    with pytest.raises(UsageError) as error:
        canvas.fill_gradebook(path, tmp_path, "hw1", "Homework One", [])
    assert str(error.value) == (f"{path}: no ID column; export the gradebook from Canvas "
                                "(Grades > Export > Export Entire Gradebook) and pass that file")


def test_a_byte_order_mark_and_padded_headers_are_read_as_canvas_writes_them(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffStudent, ID ,hw1\nAl,5,\n".encode())
    canvas.fill_gradebook(path, tmp_path, "hw1", "Homework One", [graded("al", 3, "5")])
    assert (tmp_path / "canvas-import.csv").read_text().splitlines() == ["Student, ID ,hw1",
                                                                         "Al,5,3"]


@pytest.mark.parametrize("content, message", [
    (None, "--canvas-gradebook {path}: cannot read it (No such file or directory)"),
    (b"Student,ID\n\xff\xfe\n", "--canvas-gradebook {path}: not a UTF-8 CSV file; pass the "
                                "file Canvas exported, unedited"),
    (b"", "{path}: not a Canvas gradebook export (no Student column in its first line)"),
    (b"Name,ID\n", "{path}: not a Canvas gradebook export (no Student column in its first line)")])
def test_an_unreadable_export_says_what_to_pass(tmp_path, content, message):
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError) as error:
        canvas.fill_gradebook(path, tmp_path, "hw1", "Homework One", [])
    assert str(error.value) == message.format(path=path)


@pytest.mark.parametrize("header, column, title, chosen", [
    (["Student", "ID", "HW1 (5)", "hw10 (6)"], None, "Other", "HW1 (5)"),
    (["Student", "ID", "Homework One (5)", "hw1 essay (6)"], None, "homework one ",
     "Homework One (5)"),
    (["Student", "ID", "Week 3: hw1 code (5)", "hw10 (6)", "xhw1"], None, "Other",
     "Week 3: hw1 code (5)"),
    (["Student", "ID", "A (5)", "B (6)"], " B (6) ", "Other", "B (6)"),
    (["Student", "ID", "A (5)", "B (6)"], "b", "Other", "B (6)"),
    (["Student", "ID", "Student ", "hw1"], None, "Other", "hw1")])
def test_the_assignment_column_is_found_by_name_title_or_word(tmp_path, header, column, title,
                                                               chosen):
    table, _ = fill(tmp_path, [], [], column=column, header=header, title=title)
    assert table[0][-1] == chosen


@pytest.mark.parametrize("header, column, message", [
    (["Student", "ID", "hw1 a", "hw1 b"], None, "several columns match 'hw1'; pass "
     "--canvas-column with one of: 'hw1 a', 'hw1 b'"),
    (["Student", "ID", "", "quiz"], None, "no column matches 'hw1'; pass --canvas-column with "
     "one of: 'quiz'"),
    (["Student", "ID", "A", "B"], "C", "no column matches 'C'; pass --canvas-column with one "
     "of: 'A', 'B'"),
    (["Student", "ID"] + [f"q{i}" for i in range(14)], None, "no column matches 'hw1'; pass "
     "--canvas-column with one of: " + ", ".join(repr(f"q{i}") for i in range(12)))])
def test_no_or_several_matching_columns_list_the_choices(tmp_path, header, column, message):
    path = export_file(tmp_path, [], header=header)
    with pytest.raises(UsageError) as error:
        canvas.fill_gradebook(path, tmp_path, "hw1", "Homework One", [], column)
    assert str(error.value) == f"{path}: {message}"


@pytest.mark.parametrize("name, bare", [("HW1 (12345)", "hw1"), (" HW 1  (7) ", "hw 1"),
                                        ("HW1 (x)", "hw1 (x)"), ("(5) HW1", "(5) hw1")])
def test_a_bare_column_name_drops_only_a_trailing_canvas_id(name, bare):
    assert canvas._bare(name) == bare


def test_a_column_named_exactly_as_the_assignment_wins_over_ones_containing_it(tmp_path):
    table, _ = fill(tmp_path, [], [], header=["Student", "ID", "hw1 essay", "hw1"], title="Other")
    assert table[0][-1] == "hw1"


def test_only_sis_columns_match_a_student_by_login(tmp_path):
    table, unmatched = fill(tmp_path, [["eve", "15", "", "", "eve", "", "2"]], [graded("eve", 9)])
    assert table[1][-1] == "2"
    assert unmatched == ["graded, not in the Canvas gradebook: eve (eve.py)",
                         "in the Canvas gradebook, no submission: eve (ID 15)"]


def test_line_breaks_inside_a_quoted_cell_survive_the_round_trip(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b'Student,ID,hw1\r\n"Al\r\nLee",5,\r\n')
    canvas.fill_gradebook(path, tmp_path, "hw1", "Homework One", [graded("al", 3, "5")])
    assert (tmp_path / "canvas-import.csv").read_bytes() == (b'Student,ID,hw1\r\n'
                                                             b'"Al\r\nLee",5,3\r\n')


def test_files_are_read_and_written_as_utf8_csv(tmp_path, monkeypatch):
    opened = []

    def spy(file, mode="r", **options):
        opened.append((mode, options))
        return open(file, mode, **options)
    monkeypatch.setattr(canvas, "open", spy, raising=False)
    fill(tmp_path, [["Zoë", "5", "", "", "", "", ""]], [graded("z", 3, "5")])
    assert opened == [("r", {"newline": "", "encoding": "utf-8-sig"}),
                      ("w", {"newline": "", "encoding": "utf-8"})]


# ---------------------------------------------------------------- canvas.csv (write_canvas)

def batch_row(student_id, score, max_score=47, canvas_user=None, status="graded"):
    row = {"student_id": student_id, "file": f"{student_id}.py", "status": status,
           "result": {"score": score, "max_score": max_score}}
    if canvas_user is not None:
        row["canvas_user"] = canvas_user
    return row


def test_canvas_csv_puts_canvas_ids_in_id_and_file_name_ids_in_sis_login(tmp_path, monkeypatch):
    opened = []

    def spy(file, mode="r", **options):
        opened.append((mode, options))
        return open(file, mode, **options)
    monkeypatch.setattr(canvas, "open", spy, raising=False)
    rows = [batch_row("alice_11", 46.5, canvas_user="11"), batch_row("bob_2345", 9, 42),
            batch_row("dave", 3, canvas_user="7"), batch_row("eve_5", 1, canvas_user=""),
            batch_row("fay_12", 8, canvas_user="12", status="error"), batch_row("gus_", 2)]
    path = canvas.write_canvas(tmp_path / "canvas.csv", "hw1", "Basics", rows)
    assert opened == [("w", {"newline": "", "encoding": "utf-8"})]
    assert path.read_bytes().decode("utf-8") == (
        "Student,ID,SIS User ID,SIS Login ID,Section,Basics (hw1)\r\n"
        "Points Possible,,,,,47\r\n"
        "alice,11,,,,46.5\r\n"
        "bob_2345,,,bob_2345,,9\r\n"
        "dave,7,,,,3\r\n"
        "eve_5,,,eve_5,,1\r\n"
        "fay,12,,,,\r\n"
        "gus_,,,gus_,,2\r\n")


def test_canvas_csv_without_rows_has_no_points_possible(tmp_path):
    path = canvas.write_canvas(tmp_path / "canvas.csv", "hw1", "Basics", [])
    assert path.read_bytes().decode("utf-8").splitlines()[1] == "Points Possible,,,,,"
