"""The demo: one login per role and thousands of realistic disputes, generated through
the domain apps' own builders (`aftersales demo`). The top layer: it may import any app;
no domain or interface app imports it."""
