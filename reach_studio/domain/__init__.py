"""Qt-free domain: tasks, the fair queue, captions, validation and delivery plans."""
