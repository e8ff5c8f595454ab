"""创建档案 (the inspection archive): evidence requirements per item of the standard as data
(`requirements.py`) and the archive zip with its index and 档案目录 (`catalogue.py`)."""
