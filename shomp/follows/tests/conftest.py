from shomp.notifications.tests.conftest import published  # noqa: F401  (the same push recorder)
