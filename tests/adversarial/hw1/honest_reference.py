"""An honest submission (the reference) graded beside the attacks: full marks."""
# component: softmax
# expect: full
