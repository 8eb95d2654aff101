"""Jupyter servers for the course: the student's and the instructor's JupyterLab (lab) and the instructor's
server extension for grading written answers (instructor_server).
"""
