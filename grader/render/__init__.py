"""A result rendered for people and tools: Markdown/HTML blocks, feedback pages, JUnit.

Shared by the student side (``grader ci`` writes the job summary and JUnit in a
student's repository) and the instructors' exports
(:mod:`grader.instructor.exports`), so a student release keeps this package
whole; it imports nothing else of the grader.
"""
