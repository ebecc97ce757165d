"""Streamlit building blocks shared by the pages (editors, figure builders, state and URL helpers)."""
