"""What students receive: the release, by nbgrader's generate_assignment with a leak check (release), and the
offline bundle for an LMS (bundle).
"""
