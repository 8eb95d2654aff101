"""LMS in and out: an LMS's bulk download of submissions into nbgrader's layout (``collect``), and the grade
import file the LMS accepts (``export``), both keyed by a student-id mapping file (``ids``)."""
