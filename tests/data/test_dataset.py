"""What a model knows of its data (DataInfo): class names of the registered data sets, and the
description a model file keeps, read back only if it is sound."""

import numpy as np
import pytest

from numpynn.data import DATASETS
from numpynn.data.dataset import DataInfo, registered_info
from numpynn.data.scaling import fit_scaling


def test_every_registered_data_set_names_its_classes():
    assert registered_info("mnist").class_names == [str(d) for d in range(10)]
    fashion = registered_info("fashion-mnist")
    assert fashion.class_names[0] == "T-shirt/top" and fashion.class_names[9] == "Ankle boot"
    assert "clothing" in fashion.expects() and "Ankle boot" in fashion.expects()
    for name, spec in DATASETS.items():
        assert len(spec["class_names"]) == spec["num_classes"], name


def test_a_data_description_survives_its_dict():
    info = DataInfo("pets.csv", "rows of 2 features", ["cat", "dog"], None, ["a", "b"],
                    {"file": "/x/pets.csv", "width": 2}, fit_scaling("standard", np.eye(2)))  # fmt: skip
    again = DataInfo.from_dict(info.to_dict(), "model.npz")
    assert again.to_dict() == info.to_dict() and again.scaling.kind == "standard"
    assert DataInfo.from_dict(registered_info("mnist").to_dict(), "m").image_shape == (28, 28)


@pytest.mark.parametrize(
    "values",
    [None, [], {"name": "x"}, {"name": "x", "description": "d", "class_names": "abc"},
     {"name": "x", "description": "d", "class_names": [1, 2]},
     {"name": "x", "description": "d", "class_names": ["a"], "features": [3]},
     {"name": "x", "description": "d", "class_names": ["a"], "source": [1]},
     {"name": "x", "description": "d", "class_names": ["a"], "source": {"width": "2"}},
     {"name": "x", "description": "d", "class_names": ["a"], "image_shape": [28, -1]},
     {"name": "x", "description": "d", "class_names": ["a"], "image_shape": "28x28"}],
)  # fmt: skip
def test_a_damaged_description_is_one_error_naming_the_file(values):
    with pytest.raises(ValueError, match="model.npz: the data description it records"):
        DataInfo.from_dict(values, "model.npz")


def test_a_dataset_shows_its_sizes_not_its_arrays(tmp_path):
    from numpynn.data import read_labeled

    rows = "".join(f"{i},{2 * i},{'cat' if i % 2 else 'dog'}\n" for i in range(20))
    (tmp_path / "f.csv").write_text("a,b,y\n" + rows)
    assert repr(read_labeled(tmp_path / "f.csv")) == (
        "Dataset(f.csv: 16 training and 4 test examples, 2 features, 2 classes)"
    )
