from django.apps import AppConfig


class DemoConfig(AppConfig):
    """No models: the demo generators and the `aftersales demo` command."""

    name = "aftersales.demo"
    label = "demo"
    verbose_name = "演示数据"
